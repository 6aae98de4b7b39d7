export { publishAmi, type PublishRequest, type PublishResult } from './publish.js';
