// Times the bundled publish-ami action against a local moto server and prints
// the median of several runs per scenario. Run after building:
//   npx turbo run build package --filter=@img-mgr/action-publish-ami...
//   IMG_MGR_TOOLS_DIR=... node bench/publish-ami/publish.bench.mjs [runs]
import { EC2Client } from '@aws-sdk/client-ec2';
import { makeAmi, runBundledAction, startMoto } from '@img-mgr/testbed';

const runs = Number(process.argv[2] ?? 5);
const moto = await startMoto();
try {
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];

  async function createAmi(region, name) {
    return (await makeAmi(new EC2Client({ ...moto.clientConfig, region }), name)).amiId;
  }

  const amis = {};
  for (const region of regions) amis[region] = [await createAmi(region, 'bench-a'), await createAmi(region, 'bench-b')];

  async function time(label, inputsFor) {
    const durations = [];
    for (let index = 0; index < runs; index++) {
      const run = await runBundledAction('publish-ami', { env: moto.env, inputs: inputsFor(index) });
      if (label.startsWith('bad input') ? run.exitCode !== 1 : run.exitCode !== 0)
        throw new Error(`${label}: unexpected exit ${run.exitCode}\n${run.log}`);
      durations.push(run.durationMs);
    }
    durations.sort((a, b) => a - b);
    const median = durations[Math.floor(durations.length / 2)];
    console.log(
      `${label.padEnd(52)} median ${String(median).padStart(5)} ms  ` +
        `(min ${durations[0]}, max ${durations.at(-1)}, n=${runs})`,
    );
  }

  const east = amis['us-east-1'];
  console.log(`publish-ami bundle against moto, ${runs} runs each (node ${process.version})`);
  await time('bad input (fails before loading the AWS SDK)', () => ({ 'ami-id': 'ami-1' }));
  await time('first publish, 1 region (new parameter)', (i) => ({
    'ami-id': east[0],
    'parameter-name': `/bench/first-${i}`,
  }));
  await time('re-publish of the same AMI (no new version)', () => ({
    'ami-id': east[0],
    'parameter-name': '/bench/first-0',
  }));
  await time('new AMI with 2 labels and 2 tags', (i) => ({
    'ami-id': east[(i + 1) % 2],
    'parameter-name': '/bench/first-0',
    labels: `run-${i},bench`,
    tags: 'application=img-mgr,owner=bench',
  }));
  await time('amis map, 3 regions', (i) => ({
    amis: JSON.stringify(Object.fromEntries(regions.map((region) => [region, amis[region][0]]))),
    'parameter-name': `/bench/map-${i}`,
  }));
  await time('rollback-to previous', () => ({ 'rollback-to': 'previous', 'parameter-name': '/bench/first-0' }));
  await time('prune plan (dry run), keep 1', () => ({
    'keep-amis': '1',
    'dry-run': 'true',
    application: 'none',
    'parameter-name': '/bench/first-0',
  }));
} finally {
  // Always, so a failed scenario never leaves moto_server running.
  await moto.stop();
}
