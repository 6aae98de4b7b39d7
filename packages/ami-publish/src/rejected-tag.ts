/**
 * The tag key that marks an AMI whose rollout failed (its value: the run that
 * rejected it). No AWS SDK here, so the action's summary can use it; it lives
 * in the kernel, which packer-bake's copy step reads too.
 */
export { REJECTED_TAG_KEY } from '@img-mgr/kernel';
