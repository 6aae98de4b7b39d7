/**
 * The trusted branch, checked before any AWS call: on another ref the bake
 * job's OIDC subject is one the bake role does not trust, and
 * configure-aws-credentials would fail much later with a bare "Not
 * authorized". The bake job never has an environment, so its subject is
 * always the ref; publish and deploy take the environment's subject only
 * when one is given.
 */
import { ActionError } from '@img-mgr/kernel';

/** What the check reads: the run's ref and the workflow's inputs. */
export interface BranchCheck {
  /** GITHUB_REF, e.g. refs/heads/master. */
  ref: string;
  /** The input trusted-branch: a branch name, `*` and `?` as wildcards. */
  trustedBranch: string;
  rollbackTo: string;
  promoteFrom: string;
  environment: string;
}

/** True when the run bakes: neither a rollback nor a promote. */
export function runBakes(inputs: { rollbackTo: string; promoteFrom: string }): boolean {
  return inputs.rollbackTo === '' && inputs.promoteFrom === '';
}

/**
 * True when some job's OIDC subject is the ref: the run bakes, or a job
 * without an environment assumes the role. A rollback or a promote into an
 * environment runs from any branch (the environment is the subject).
 */
export function needsTrustedBranch(check: Omit<BranchCheck, 'ref' | 'trustedBranch'>): boolean {
  return runBakes(check) || check.environment === '';
}

/**
 * Matches a ref against refs/heads/<pattern> as the role's StringLike
 * condition does: `*` any run of characters (`/` included), `?` one
 * character, everything else literally.
 */
export function branchMatches(ref: string, pattern: string): boolean {
  const body = [...`refs/heads/${pattern}`]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.+()[\]{}|]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's').test(ref);
}

/** Checks the branch; returns the line to log, or throws an ActionError naming trusted-branch. */
export function checkTrustedBranch(check: BranchCheck): string {
  if (needsTrustedBranch(check) && !branchMatches(check.ref, check.trustedBranch)) {
    throw new ActionError(
      `This run is on '${check.ref}', but only the branch '${check.trustedBranch}' may assume the AWS role ` +
        "(input 'trusted-branch', the repository variable TRUSTED_BRANCH in workflows-example); " +
        "run it on that branch, or set TRUSTED_BRANCH and the role's AllowedBranch to your default branch.",
    );
  }
  return `Trusted branch: ${check.trustedBranch}; this run is on ${check.ref}.`;
}
