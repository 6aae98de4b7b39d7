/** The input reader is the bundle's entry: it must load neither @actions/* nor AWS SDK code. */
import { describe, expect, it, vi } from 'vitest';

const HEAVY = [
  '@actions/core',
  '@actions/tool-cache',
  '@aws-sdk/client-ec2',
  '@aws-sdk/client-kms',
  '@img-mgr/kernel/aws',
];

describe('src/inputs.ts', () => {
  it('imports and reads inputs with @actions/* and the AWS SDK unresolvable', async () => {
    for (const name of HEAVY) {
      vi.doMock(name, () => {
        throw new Error(`src/inputs.ts loaded ${name}`);
      });
    }
    const { readInputs } = await import('../src/inputs.js');
    expect(() => readInputs({ INPUT_TEMPLATE: '' })).toThrow("Input 'template' is empty");
  });
});
