import { choiceInput, durationInput, runAction, stringInput } from '@img-mgr/action-kit';
import { resolveRegion } from '@img-mgr/aws';

export interface DeployInputs {
  stackName: string;
  template: string | undefined;
  mode: 'create-and-execute' | 'plan' | 'execute';
  region: string;
  waitTimeoutMs: number;
}

/** Reads and validates every input once. */
export function readInputs(): DeployInputs {
  return {
    stackName: stringInput('stack-name', {
      required: true,
      pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
      patternHint: 'a stack name starts with a letter and has only letters, digits and hyphens (at most 128)',
    }),
    template: stringInput('template'),
    mode: choiceInput('mode', ['create-and-execute', 'plan', 'execute'], 'create-and-execute'),
    region: resolveRegion(stringInput('region')),
    waitTimeoutMs: durationInput('wait-timeout', 60 * 60_000),
  };
}

/** The action's entry point. */
export async function run(): Promise<void> {
  await runAction('deploy-stack', async () => {
    const inputs = readInputs();
    await Promise.resolve(inputs);
  });
}
