/**
 * The Context the tests hand to packer-bake: the test's own moto (through
 * `env`, never process.env), the tools' Packer on PATH, and a log that keeps
 * its lines for assertions.
 */
import { lineLogger, type ClientFactory, type Context, type Env } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import { pathWithTools, type Moto } from '@img-mgr/testbed';

export interface TestContext extends Context {
  /** Every info line, and every warning as `warning: <line>`. */
  lines: string[];
}

/**
 * A Context for `env`. The SDK reads credentials from the process, not from
 * a Context's env, so each client gets the env's dummy keys explicitly.
 */
export function testContext(env: Env, options: { signal?: AbortSignal; clients?: ClientFactory } = {}): TestContext {
  const lines: string[] = [];
  const factory = clientFactory({ caller: 'test', env });
  const clients: ClientFactory = options.clients ?? {
    get(Client, region) {
      const client = factory.get(Client, region) as { config: { credentials: unknown } };
      const credentials = {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      };
      client.config.credentials = () => Promise.resolve(credentials);
      return client as never;
    },
  };
  return {
    log: lineLogger((line) => lines.push(line)),
    signal: options.signal ?? new AbortController().signal,
    env,
    clients,
    lines,
  };
}

/** A Context pointing at `moto`, with the tools' Packer first on PATH (and HOME, where Packer keeps its config). */
export function motoContext(moto: Moto, options: { signal?: AbortSignal } = {}): TestContext {
  return testContext({ ...moto.env, PATH: pathWithTools(), HOME: process.env.HOME }, options);
}
