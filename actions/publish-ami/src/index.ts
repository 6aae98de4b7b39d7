import { runAction } from '@img-mgr/action-kit';
import { readInputs } from './inputs.js';
await runAction('publish-ami', async ({ signal }) => (await import('./main.js')).run(readInputs(process.env), signal));
