/**
 * Input parsers without the AWS SDK, so a caller can validate everything
 * before loading it (`@img-mgr/stack-deploy/parsers`).
 */
export { parseParameterOverrides, readParameterFile, parameterDocument } from './parameters.js';
export { parseTags, type StackTag } from './tags.js';
export {
  checkStackName,
  checkCapabilities,
  changeSetName,
  STACK_NAME,
  CHANGE_SET_NAME,
  CAPABILITIES,
  IAM_CAPABILITIES,
} from './names.js';
export {
  parseTemplateSource,
  templateFacts,
  s3HttpsUrl,
  MAX_TEMPLATE_BODY_BYTES,
  type TemplateSource,
  type TemplateFacts,
} from './template-source.js';
export { outputMap } from './outputs.js';
