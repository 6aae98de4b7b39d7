/** From Packer artifacts to AMI ids per region. */
import type { PackerArtifact } from './machine-readable.js';

/** One build's result: its name and the AMI in each region. */
export interface BuildResult {
  /** Packer's build name, e.g. `amazon-ebs.app`. */
  name: string;
  /** Region → AMI id, e.g. `{ "us-east-1": "ami-0123…" }`. */
  amis: Record<string, string>;
  /** The artifact id as Packer reported it (`us-east-1:ami-a,us-west-2:ami-b`). */
  artifactId: string;
  builderId: string;
}

const PAIR = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}):(ami-[0-9a-f]+)$/;

/**
 * Parses an AMI artifact id: the `region:ami` pairs joined by commas
 * (already unescaped). Returns undefined when it is not an AMI artifact id.
 */
export function parseAmiArtifactId(id: string): Record<string, string> | undefined {
  const pairs = id.split(',').map((pair) => PAIR.exec(pair.trim()));
  if (pairs.length === 0 || pairs.some((pair) => pair === null)) return undefined;
  const amis: Record<string, string> = {};
  for (const pair of pairs) {
    if (pair?.[1] && pair[2]) amis[pair[1]] = pair[2];
  }
  return amis;
}

/**
 * Collects AMI artifacts by build. Post-processors that pass the artifact
 * through (manifest) report the same id again; it is kept once.
 */
export class ArtifactCollector {
  private readonly builds = new Map<string, BuildResult>();

  /** Records an artifact; returns the build result when it carried AMIs. */
  add(artifact: PackerArtifact): BuildResult | undefined {
    const amis = parseAmiArtifactId(artifact.id);
    if (!amis) return undefined;
    const known = this.builds.get(artifact.build);
    if (known?.artifactId === artifact.id) return undefined;
    const result: BuildResult = { name: artifact.build, amis, artifactId: artifact.id, builderId: artifact.builderId };
    this.builds.set(artifact.build, result);
    return result;
  }

  /** The builds that produced AMIs, in the order they reported them. */
  results(): BuildResult[] {
    return [...this.builds.values()];
  }
}

/**
 * Merges the builds' AMIs into one region → AMI map. When several builds
 * produced an AMI in the same region, the first build wins (use `only` to
 * pick a build).
 */
export function mergeAmis(builds: BuildResult[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const build of builds) {
    for (const [region, ami] of Object.entries(build.amis)) merged[region] ??= ami;
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}
