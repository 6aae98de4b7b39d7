export { InputError, ActionError, CancelledError, TimeoutError, errorMessage } from '@img-mgr/kernel';
export { EnvInputs, inputVariable, splitList, quoteWhole } from './inputs.js';
export { group, mask, info, warning, debug, annotateError } from './log.js';
export { setOutput, saveState, readState } from './outputs.js';
export { jobSummary, cell, type JobSummary, type SummaryCell } from './summary.js';
export { CANCEL_SIGNALS, listenForCancellation, sleep, type Cancellation } from '@img-mgr/kernel';
export { runAction, type ActionContext } from './run.js';
export { actionContext } from './context.js';
export { hasUrlCredentials, URL_CREDENTIALS_PROBLEM } from '@img-mgr/kernel';
