import { startAction } from '@img-mgr/action-kit/entry';
import { readInputs } from './inputs.js';

// One bundle for both steps: action.yml's `post:` names this file too.
await startAction({
  readInputs,
  main: async (inputs) => (await import('./main.js')).run(inputs),
  post: async () => (await import('./cleanup.js')).runPost(),
});
