/**
 * The job's GitHub OIDC token: asked for as configure-aws-credentials asks
 * (the runner's ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN), and its claims read
 * without checking the signature. Nothing secret comes out of it: the claims
 * name the repository, the ref or environment, and the workflow. When AWS
 * refuses the token, `refusedTokenExplanation` says, in one line, which
 * subject the token carries and which subject the role must trust.
 */
import { ActionError, errorMessage, sleep, type Env } from '@img-mgr/kernel';

/** The claims this project reads; GitHub puts in more. */
export type TokenClaims = Record<string, unknown>;

/** The audience configure-aws-credentials asks for. */
export const STS_AUDIENCE = 'sts.amazonaws.com';

/** The job may not ask for a token: its workflow lacks `permissions: id-token: write`. */
export class NoIdTokenError extends ActionError {
  override readonly name = 'NoIdTokenError';
}

export interface TokenRequestOptions {
  signal?: AbortSignal;
  /** Attempts before giving up (default 3), 1 s apart. */
  attempts?: number;
}

/**
 * Asks the runner's token service for a token with `audience`. Throws
 * NoIdTokenError when the job has no token to ask for, ActionError when the
 * service does not answer with one.
 */
export async function requestIdToken(env: Env, audience: string, options: TokenRequestOptions = {}): Promise<string> {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) throw new NoIdTokenError("this job has no OIDC token (no 'permissions: id-token: write')");
  const attempts = options.attempts ?? 3;
  let problem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(`${url}&audience=${encodeURIComponent(audience)}`, {
        headers: { Authorization: `bearer ${bearer}` },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (response.ok) {
        const value = ((await response.json()) as { value?: unknown }).value;
        if (typeof value === 'string' && value !== '') return value;
        problem = 'the answer holds no token';
      } else {
        problem = `HTTP ${response.status}`;
      }
    } catch (thrown: unknown) {
      if (options.signal?.aborted) throw thrown;
      problem = errorMessage(thrown);
    }
    if (attempt < attempts) await sleep(1_000, options.signal);
  }
  throw new ActionError(`GitHub's token service did not answer with a token (${problem})`);
}

/** The claims of a JWT: its middle part, base64url-decoded. Throws ActionError when it is not one. */
export function decodeClaims(token: string): TokenClaims {
  const payload = token.split('.')[1] ?? '';
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (claims && typeof claims === 'object' && !Array.isArray(claims)) return claims as TokenClaims;
  } catch {
    // reported below, as every other token that is not a JWT
  }
  throw new ActionError('the OIDC token is not a JWT with a JSON payload');
}

/** A claim as text ('' when absent). */
export function claim(claims: TokenClaims, name: string): string {
  const value = claims[name];
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The subject the role must trust for the job these claims describe, in the
 * immutable form GitHub uses for repositories created since 2026-07-15, with
 * the stack parameters that produce it: a job in an environment assumes that
 * environment's deploy role (cloudformation/github-deploy-role.yaml), a job
 * without one the bake role (cloudformation/github-bake-role.yaml).
 */
export function refusedTokenExplanation(role: string, claims: TokenClaims): string {
  const sub = claim(claims, 'sub');
  const ownerId = claim(claims, 'repository_owner_id');
  const repositoryId = claim(claims, 'repository_id');
  const environment = claim(claims, 'environment');
  const ref = claim(claims, 'ref');
  const name = claim(claims, 'repository').replace(/^[^/]*\//, '');
  const [context, template, parameter] = environment
    ? [`environment:${environment}`, 'cloudformation/github-deploy-role.yaml', `Environment=${environment}`]
    : [`ref:${ref}`, 'cloudformation/github-bake-role.yaml', `AllowedBranch=${ref.replace(/^refs\/heads\//, '')}`];
  const needed = `repo:${claim(claims, 'repository_owner')}@${ownerId}/${name}@${repositoryId}:${context}`;
  // The part of the actual subject before its context is what SubjectPrefix takes.
  const prefix = sub.replace(/:ref:.*$/s, '').replace(/:environment:.*$/s, '');
  return (
    `Could not assume ${role}. This job's OIDC sub is '${sub}'; the role must trust '${needed}' ` +
    `(${template}: GitHubOwnerId=${ownerId} GitHubRepositoryId=${repositoryId} ${parameter}, ` +
    `or SubjectPrefix=${prefix} when the sub has another form); its TrustedSubjects output lists what it trusts.`
  );
}

/**
 * Why AWS refused this job's token, in one line: asks for a token with the
 * audience configure-aws-credentials uses and explains its subject; when
 * there is no token, or the service does not answer, says that instead.
 */
export async function explainRefusedToken(role: string, env: Env, options: TokenRequestOptions = {}): Promise<string> {
  const shown = role || 'the role';
  try {
    return refusedTokenExplanation(shown, decodeClaims(await requestIdToken(env, STS_AUDIENCE, options)));
  } catch (thrown: unknown) {
    if (thrown instanceof NoIdTokenError) {
      return (
        `Could not assume ${shown}: this job has no OIDC token; ` +
        "the calling job must grant 'permissions: id-token: write'."
      );
    }
    if (options.signal?.aborted) throw thrown;
    return `Could not assume ${shown}, and GitHub's token service did not answer, so the token's subject is unknown.`;
  }
}
