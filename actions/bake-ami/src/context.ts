/**
 * The kernel Context of this action's steps: lines to the runner's log
 * (warnings as annotations), secrets to its mask, the step's environment and
 * cancellation, and AWS clients from the project's factory.
 */
import { group, info, mask, warning } from '@img-mgr/action-kit';
import type { Context, Env } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';

/** The Context of a step of bake-ami; `env` is the step's environment. */
export function actionContext(signal: AbortSignal, env: Env): Context {
  return {
    log: { info, warn: warning, secret: mask, group },
    signal,
    env,
    clients: clientFactory({ caller: 'bake-ami', env, log: info }),
  };
}
