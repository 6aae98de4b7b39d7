/**
 * The manifest bake-ami writes for each run, in the shape of Packer's
 * manifest post-processor (`builds[]`, `last_run_uuid`), so tools that read
 * Packer manifests read it too. One file per run: no `.builds[-1]` guessing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BuildResult } from './artifacts.js';

export interface ManifestContent {
  runId: string;
  fingerprint: string;
  skipped: boolean;
  builds: BuildResult[];
}

/** Writes the manifest to `path` and returns the path. */
export async function writeManifest(path: string, content: ManifestContent): Promise<string> {
  const buildTime = Math.floor(Date.now() / 1000);
  const manifest = {
    builds: content.builds.map((build) => ({
      name: build.name.replace(/^[^.]+\./, ''),
      builder_type: build.name.split('.')[0] ?? build.name,
      build_time: buildTime,
      files: null,
      artifact_id: build.artifactId,
      packer_run_uuid: content.runId,
      custom_data: {
        fingerprint: content.fingerprint,
        skipped: String(content.skipped),
        amis: JSON.stringify(build.amis),
      },
    })),
    last_run_uuid: content.runId,
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}
