/**
 * The Packer variables of the bake job, as one JSON object for bake-ami's
 * `variables-json` input. JSON.stringify writes every value as one string
 * whatever it holds, and bake-ami passes each as one `-var` argument: no
 * caller string is pasted into KEY=VALUE text, where a comma or a line break
 * would start another variable.
 */

/** What the bake job passes to Packer: the app's URL, its commit and the build region. */
export interface BakeVariables {
  flaskUrl: string;
  appRevision: string;
  region: string;
}

/**
 * The `variables-json` of the bake: the same names and values the workflow
 * passed as KEY=VALUE text before, so the fingerprint (over the sorted
 * variables) and the baked AMIs it finds stay the same.
 */
export function bakeVariablesJson(variables: BakeVariables): string {
  return JSON.stringify({
    flask_repo: variables.flaskUrl,
    flask_ref: variables.appRevision,
    region: variables.region,
  });
}
