/**
 * The kernel Context of an action's step: lines to the runner's log (warnings
 * as annotations), secrets to its mask before any line could carry them, the
 * step's environment and cancellation, and AWS clients from the project's
 * factory (retries logged as plain lines: a throttling storm is no annotation).
 */
import type { Context, Env } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import { group, info, mask, warning } from './log.js';

/** The Context of a step of the action `caller` (for the user agent); `env` is the step's environment. */
export function actionContext(caller: string, signal: AbortSignal, env: Env): Context {
  return {
    log: { info, warn: warning, secret: mask, group },
    signal,
    env,
    clients: clientFactory({ caller, env, log: info }),
  };
}
