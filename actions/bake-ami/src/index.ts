import { runAction } from '@img-mgr/action-kit';
import { readInputs, type BakeInputs } from './inputs.js';

// Inputs first: a bad one fails the step in one line before main (and the AWS SDK) loads.
let inputs: BakeInputs | undefined;
await runAction('bake-ami', () => Promise.resolve(void (inputs = readInputs(process.env))));
if (inputs) await (await import('./main.js')).run(inputs);
