/**
 * The tag key that marks an AMI whose rollout failed; its value is the id of
 * the workflow run that rejected it. Written by the failure path of the
 * reusable workflow (publish-ami reject-ami), read by rollback-to previous,
 * promote and pruning, and by the copy step, which never reuses a rejected
 * copy. Here, in the kernel, because both ami-publish and packer-bake read it.
 */
export const REJECTED_TAG_KEY = 'img-mgr:rejected';
