/** Keys of the state the main step saves for the post step. */
export const STATE = { runId: 'run-id', region: 'region', resources: 'resources' } as const;
