import { startAction } from '@img-mgr/action-kit/entry';
import { readInputs } from './inputs.js';

await startAction({ readInputs, main: async (inputs) => (await import('./main.js')).run(inputs) });
