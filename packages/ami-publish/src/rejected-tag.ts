/**
 * The tag key that marks an AMI whose rollout failed; its value is the id of
 * the workflow run that rejected it. Written by the failure path of the
 * reusable workflow (publish-ami reject-ami), read by rollback-to previous,
 * promote and pruning. No AWS SDK here, so the action's summary can use it.
 */
export const REJECTED_TAG_KEY = 'img-mgr:rejected';
