// @needs-tools moto_server packer
/**
 * The domain API as a CLI would call it (no @actions/core): bakeAmi with a
 * real Packer 1.6.6 against moto, observed through `onEvent`.
 */
import { join } from 'node:path';
import { repoRoot, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bakeAmi, newRunId, type BakeEvent, type BakeRequest } from '../src/index.js';
import { motoContext } from './context.js';

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  await moto.stop();
});

function request(overrides: Partial<BakeRequest> = {}): BakeRequest {
  return {
    template: join(repoRoot(), 'actions', 'bake-ami', 'test', 'fixtures', 'packer'),
    workingDirectory: '.',
    region: 'us-east-1',
    variables: { ec2_endpoint: moto.endpoint },
    varFiles: [],
    only: ['amazon-ebs.app'],
    except: [],
    packerVersion: 'path',
    init: true,
    appRevision: 'rev-1',
    force: false,
    timeoutMs: 60_000,
    runId: newRunId({}),
    ...overrides,
  };
}

describe('bakeAmi', { timeout: 60_000 }, () => {
  it('reports the bake through events and returns the AMIs; the same request again is found, not baked', async () => {
    const events: BakeEvent[] = [];
    const context = motoContext(moto);
    const result = await bakeAmi(request(), context, { onEvent: (event) => events.push(event) });

    expect(result).toMatchObject({ skipped: false, region: 'us-east-1', amis: { 'us-east-1': result.amiId } });
    expect(result.builds.map((build) => build.name)).toEqual(['amazon-ebs.app']);
    const kinds = new Set(events.map((event) => event.kind));
    expect([...kinds].sort()).toEqual(['build', 'fingerprint', 'packer', 'resource', 'step', 'ui']);
    const resources = events.flatMap((event) => (event.kind === 'resource' ? [event] : []));
    expect(resources.map((event) => event.resource)).toEqual([
      'key-pair',
      'security-group',
      'instance',
      'image-name',
      'image',
    ]);
    // The AMI Packer registers is announced by id as soon as it exists, before it is tagged.
    expect(resources.at(-1)?.id).toBe(result.amiId);
    expect(events.filter((event) => event.kind === 'step').map((event) => `${event.step}:${event.status}`)).toEqual([
      'init:skipped',
      'validate:started',
      'validate:finished',
      'build:started',
      'build:finished',
    ]);
    const uiBuilds = new Set(
      events.flatMap((event) => (event.kind === 'ui' && event.line.build ? [event.line.build] : [])),
    );
    expect([...uiBuilds]).toEqual(['amazon-ebs.app']);

    const again: BakeEvent[] = [];
    const second = await bakeAmi(request(), context, { onEvent: (event) => again.push(event) });
    expect(second).toMatchObject({ skipped: true, amiId: result.amiId, fingerprint: result.fingerprint });
    expect(again.map((event) => event.kind)).toEqual(['fingerprint', 'found']);
  });
});
