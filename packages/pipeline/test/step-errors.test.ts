/** The failed step travels on the error (PipelineError.step), not in the text of its message. */
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../src/errors.js';
import { ExitCode } from '../src/exit-codes.js';
import { asStepError } from '../src/step-errors.js';

describe('asStepError', () => {
  it('names the step on what it wraps, whatever the message holds', () => {
    const failure = asStepError(new Error('parameter /a: b: c is not valid'), ExitCode.publish, 'publish');
    expect(failure).toBeInstanceOf(PipelineError);
    expect((failure as PipelineError).step).toBe('publish');
    expect(failure.message).toBe('publish: parameter /a: b: c is not valid');
  });

  it('keeps the step of an error that already names one (an inner step wrapped twice)', () => {
    const inner = asStepError(new Error('boom'), ExitCode.deploy, 'deploy img-mgr-dev');
    expect((asStepError(inner, ExitCode.internal, 'run') as PipelineError).step).toBe('deploy img-mgr-dev');
  });

  it('gives a PipelineError thrown without a step the step that catches it', () => {
    const bare = new PipelineError(ExitCode.environment, 'could not lock the state folder /x');
    expect((asStepError(bare, ExitCode.internal, 'run') as PipelineError).step).toBe('run');
  });
});
