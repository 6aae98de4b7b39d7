/**
 * Which stack outputs the CLI hides, by meaning, with deploy-stack's own rule:
 * an output that carries a NoEcho value of the stack's template (from the
 * parameter file, an override or the Default) or is computed from a NoEcho
 * parameter. The CLI knows the templates it deploys and the values it sends,
 * so an output's name alone (PrivateSubnets) never hides it.
 */
import { readFileSync } from 'node:fs';
import { InputError, InvalidRequestError } from '@img-mgr/kernel';
import type { TemplateFacts } from '@img-mgr/stack-deploy/parsers';
import type { StackPlan } from './stacks.js';

/** A plan's template as deploy-stack reads it, and the parameter values a deploy of it sends. */
export interface StackInputs {
  /** Undefined when the template cannot be parsed locally (CloudFormation then judges it). */
  facts?: TemplateFacts;
  /** The parameter file's values, then the plan's overrides that the template declares. */
  parameters: Map<string, string>;
}

/** Reads `plan`'s template and parameter file (paths relative to `root`). */
export async function stackInputs(plan: StackPlan, root: string): Promise<StackInputs> {
  const { readParameterFile, templateFacts } = await import('@img-mgr/stack-deploy/parsers');
  const parameters = plan.parameterFile
    ? envParameterFile(readParameterFile, plan.parameterFile, root)
    : new Map<string, string>();
  const facts = templateFacts(readFileSync(plan.template, 'utf8'));
  for (const [key, value] of Object.entries(plan.overrides))
    if (!facts || facts.parameters.has(key)) parameters.set(key, value);
  return { ...(facts ? { facts } : {}), parameters };
}

/** Reads a parameter file with deploy-stack's `read`; its errors name --env, the flag that chose the file. */
export function envParameterFile(
  read: (path: string, cwd: string) => Map<string, string>,
  path: string,
  root: string,
): Map<string, string> {
  try {
    return read(path, root);
  } catch (error: unknown) {
    throw error instanceof InvalidRequestError ? new InputError('--env', error.problem) : error;
  }
}

/** The keys of `outputs` to show as `***` (deploy-stack's secretOutputKeys over the template's NoEcho facts). */
export async function secretOutputs(inputs: StackInputs, outputs: Record<string, string>): Promise<string[]> {
  const { noEchoFacts, secretOutputKeys } = await import('@img-mgr/stack-deploy');
  const noEcho = noEchoFacts(inputs.facts?.parameters ?? new Map(), inputs.parameters);
  return secretOutputKeys(outputs, noEcho, inputs.facts?.outputs);
}
