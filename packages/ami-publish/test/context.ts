/** A Context for tests: the given env (a test's own moto), lines collected, no process.env. */
import { lineLogger, type Context, type Env } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';

/** A Context whose log lines go to `lines` and whose clients talk to what `env` points at. */
export function testContext(
  env: Env,
  lines: string[] = [],
  signal: AbortSignal = new AbortController().signal,
): Context {
  return { log: lineLogger((line) => lines.push(line)), signal, env, clients: clientFactory({ caller: 'test', env }) };
}
