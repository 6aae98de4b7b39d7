// Wall time of the reusable workflow's later wave (workflow-run's rolloutWave, the rollout-wave step) to three
// regions against one region: each region's publish, deploy (a CreateStack of a small app template) and smoke
// test through a stand-in front door, on a fresh moto per run. The regions of a wave run concurrently, so the
// target is three regions in at most 1.5 times the wall time of one. Build first (npm run bench does).
// BENCH_RUNS (default 3) runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { lineLogger } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import { followStack, makeAmi, startMoto, startStandInSite } from '@img-mgr/testbed';
import { rolloutWave, waveRequest } from '@img-mgr/workflow-run';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const REVISION = 'abcdef0123456789abcdef0123456789abcdef01';
const STACK = 'img-mgr-bench';
const TEMPLATE = `
Parameters:
  ImageId: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>' }
  ImageIdOverride: { Type: String, Default: '' }
Resources:
  UploadsBucket: { Type: 'AWS::S3::Bucket' }
Outputs:
  Url: { Value: 'http://load-balancer.invalid' }
  BucketName: { Value: !Ref UploadsBucket }
  ImageId: { Value: !Ref ImageIdOverride }
`;
const workspace = mkdtempSync(join(tmpdir(), 'img-mgr-bench-waves-'));
writeFileSync(join(workspace, 'app.yaml'), TEMPLATE);

/** One wave on a fresh moto (AMIs and sites made first, outside the timing); its wall time in ms. */
async function timedWave(regions) {
  const moto = await startMoto();
  const sites = [];
  try {
    const amis = {};
    const urls = {};
    for (const region of regions) {
      const config = { ...moto.clientConfig, region };
      amis[region] = (
        await makeAmi(new EC2Client(config), `bench-${region}`, { tags: { 'app-revision': REVISION } })
      ).amiId;
      const s3 = new S3Client({ ...config, forcePathStyle: true });
      const site = await startStandInSite({ s3, deployed: followStack(config, STACK) });
      sites.push(site);
      urls[region] = site.url;
    }
    const request = await waveRequest(
      {
        wave: '2',
        regions: JSON.stringify(regions),
        amis: JSON.stringify(amis),
        rollbackTo: '',
        promoteFrom: '',
        appRevision: REVISION,
        parameterName: '/common/img-mgr/golden-ami',
        stackName: STACK,
        template: 'app.yaml',
        parameterFile: '',
        parameterFiles: '',
        cloudformationRoleArn: '',
        launchKmsKey: '',
        smokeTest: true,
        smokeSamples: '2',
        smokeTimeout: '30s',
        smokeUrls: JSON.stringify(urls),
        workspace,
        runId: '1',
        runAttempt: '1',
      },
      moto.env,
    );
    const context = {
      log: lineLogger(() => undefined),
      signal: new AbortController().signal,
      env: moto.env,
      clients: clientFactory({ caller: 'bench', env: moto.env }),
    };
    const started = performance.now();
    await rolloutWave(request, context);
    return performance.now() - started;
  } finally {
    await Promise.all(sites.map((site) => site.close()));
    await moto.stop();
  }
}

try {
  const one = [];
  const three = [];
  for (let i = 0; i < runs; i++) {
    one.push(await timedWave(['us-west-2']));
    three.push(await timedWave(['us-west-2', 'eu-west-1', 'ap-southeast-2']));
  }
  const ratio = median(three) / median(one);
  console.log(`wave of 1 region   median ${Math.round(median(one))} ms wall (${one.map(Math.round).join(', ')})`);
  console.log(`wave of 3 regions  median ${Math.round(median(three))} ms wall (${three.map(Math.round).join(', ')})`);
  console.log(`3 regions / 1 region = ${ratio.toFixed(2)}x (target at most 1.5x)`);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
