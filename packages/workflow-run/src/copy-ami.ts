/**
 * The bake job's copy: the baked AMI copied to every other target region,
 * with its tags on the copy and its snapshots (packer-bake's copyBakedAmi,
 * with the bake role). What it returns is the JSON map region → AMI that the
 * wave jobs publish, one region each.
 */
import { InputError, InvalidRequestError, regionProblem, type Context } from '@img-mgr/kernel';

export interface CopyAmiRequest {
  amiId: string;
  /** The build region (aws-region). */
  region: string;
  fingerprint: string;
  /** JSON array of regions (plan-targets' copy-regions). */
  copyRegions: string;
  timeoutMs: number;
}

/** Copies and waits; resolves with the JSON map of every copy region's AMI (`{}` for none). */
export async function copyAmi(request: CopyAmiRequest, context: Context): Promise<string> {
  let regions: unknown;
  try {
    regions = JSON.parse(request.copyRegions);
  } catch {
    regions = undefined;
  }
  if (!Array.isArray(regions) || !regions.every((region) => typeof region === 'string'))
    throw new InputError('copy-regions', 'must be a JSON array of regions (plan-targets gives it).');
  for (const region of regions) {
    const problem = regionProblem(region, context.env);
    if (problem) throw new InputError('copy-regions', `holds ${problem}`);
  }
  if (regions.length === 0) return '{}';
  // Loaded here, and only the copy: the other steps never load it and its EC2 client, and no step needs
  // the rest of packer-bake (Packer's download and signature checks).
  const { copyBakedAmi } = await import('@img-mgr/packer-bake/copy-image');
  let copies: Awaited<ReturnType<typeof copyBakedAmi>>;
  try {
    copies = await copyBakedAmi(
      {
        source: { amiId: request.amiId, region: request.region },
        fingerprint: request.fingerprint,
        regions: regions,
        timeoutMs: request.timeoutMs,
      },
      context,
      { onCopy: (event) => context.log.info(`${event.region}: ${event.amiId} ${event.state}`) },
    );
  } catch (error: unknown) {
    // The source AMI that could not be read (access denied, malformed) is the ami-id input's.
    if (error instanceof InvalidRequestError && error.field === 'source') throw new InputError('ami-id', error.problem);
    throw error;
  }
  return JSON.stringify(Object.fromEntries(Object.values(copies).map((copy) => [copy.region, copy.amiId])));
}
