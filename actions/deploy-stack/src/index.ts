import { runAction } from '@img-mgr/action-kit';
import { readInputs } from './inputs.js';

await runAction('deploy-stack', async ({ signal }) => {
  const request = readInputs(process.env);
  await (await import('./main.js')).run(request, signal);
});
