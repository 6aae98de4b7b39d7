/**
 * Shapes that more than one reader of a caller's text checks: the reusable
 * workflow's inputs (role-to-assume, smoke-url) and the targets file's
 * per-wave keys (role-to-assume, smoke-urls). One rule each, so the file and
 * the input refuse the same values.
 */

/** An IAM role ARN in any partition: a path and a name of IAM's characters (letters, digits, + = , . @ _ - /). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/**
 * The smoke test's base URL: http(s)://host[:port][/path/]. No user info,
 * query, fragment, spaces, quotes, commas or `${`: it reaches the job's
 * environment url, the log and the summary.
 */
const SMOKE_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%+-]+)*\/?$/;

/** A path relative to a workspace: no leading /, no commas, spaces, quotes or ${...} (.. is checked apart). */
const WORKSPACE_PATH = /^[A-Za-z0-9._-][A-Za-z0-9._/-]{0,1023}$/;

/** True for a stack parameter file in the caller's workspace: a relative .json, .yaml or .yml path, no .. part. */
export function isParameterFilePath(value: string): boolean {
  return (
    WORKSPACE_PATH.test(value) &&
    !value.split('/').some((part) => part === '..' || part === '') &&
    /\.(json|ya?ml)$/.test(value)
  );
}

/** True for an IAM role ARN. */
export function isRoleArn(value: string): boolean {
  return ROLE_ARN.test(value);
}

/** True for a smoke test's base URL (a URL with credentials never is one). */
export function isSmokeUrl(value: string): boolean {
  return SMOKE_URL.test(value);
}
