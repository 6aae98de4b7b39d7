/** Where the CLI keeps its state (the repository and its tools are local-host's). */
import { join } from 'node:path';
import type { Env } from '@img-mgr/kernel';
import { repoRoot } from '@img-mgr/local-host';

/** The default state folder: packages/pipeline/.state (git-ignored), or IMG_MGR_PIPELINE_STATE_DIR. */
export function defaultStateDir(env: Env): string {
  return env.IMG_MGR_PIPELINE_STATE_DIR ?? join(repoRoot(), 'packages', 'pipeline', '.state');
}
