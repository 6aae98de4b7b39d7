/** A test tool that must be installed (local-host finds it; the CLI installs its own when missing). */
import { findTool } from '@img-mgr/local-host';

/**
 * Full path of a test tool: first .tools/bin (what scripts/tools.sh
 * installed), then PATH. Throws with the fix when it is missing.
 */
export function toolPath(name: string): string {
  const found = findTool(name);
  if (!found) throw new Error(`testbed: '${name}' is not installed; run 'npm run tools' (scripts/tools.sh) first`);
  return found;
}
