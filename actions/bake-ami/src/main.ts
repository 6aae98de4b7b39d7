import { booleanInput, durationInput, runAction, stringInput } from '@img-mgr/action-kit';
import { resolveRegion } from '@img-mgr/aws';

export interface BakeInputs {
  template: string;
  workingDirectory: string;
  region: string;
  force: boolean;
  timeoutMs: number;
}

/** Reads and validates every input once. */
export function readInputs(): BakeInputs {
  return {
    template: stringInput('template', { required: true }),
    workingDirectory: stringInput('working-directory', { default: '.' }),
    region: resolveRegion(stringInput('region')),
    force: booleanInput('force', false),
    timeoutMs: durationInput('timeout', 2 * 3_600_000),
  };
}

/** The action's entry point. */
export async function run(): Promise<void> {
  await runAction('bake-ami', async () => {
    const inputs = readInputs();
    await Promise.resolve(inputs);
  });
}
