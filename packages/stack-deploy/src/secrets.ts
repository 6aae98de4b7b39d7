/**
 * What a deploy must never print, decided by meaning rather than by name:
 * the values of the template's NoEcho parameters, and the outputs that carry
 * one of them or are computed from one.
 */
import type { ParameterFacts } from './template-source.js';

/** The NoEcho facts of a template: which parameters, and the values we know of them. */
export interface NoEchoFacts {
  /** Names of the NoEcho parameters. */
  names: string[];
  /** Their values as this deploy knows them: overrides and template defaults. */
  values: string[];
}

/** NoEcho names and the known values (an override, else the Default) of a template's parameters. */
export function noEchoFacts(
  parameters: ReadonlyMap<string, ParameterFacts>,
  overrides: ReadonlyMap<string, string>,
): NoEchoFacts {
  const names: string[] = [];
  const values = new Set<string>();
  for (const [name, facts] of parameters) {
    if (!facts.noEcho) continue;
    names.push(name);
    const override = overrides.get(name);
    if (override) values.add(override);
    if (facts.noEcho.defaultValue) values.add(facts.noEcho.defaultValue);
  }
  return { names, values: [...values] };
}

/**
 * The outputs to hide: those whose value contains a NoEcho value, and those
 * whose template expression uses a NoEcho parameter (`Ref`, `!Ref`,
 * `${Name}` in a Sub), which covers a value kept with UsePreviousValue that
 * this deploy never saw.
 */
export function secretOutputKeys(
  outputs: Record<string, string>,
  noEcho: NoEchoFacts,
  expressions?: ReadonlyMap<string, string>,
): string[] {
  return Object.entries(outputs)
    .filter(
      ([key, value]) =>
        noEcho.values.some((secret) => value.includes(secret)) || usesParameter(expressions?.get(key), noEcho.names),
    )
    .map(([key]) => key);
}

/** True when an output's Value expression (JSON text) refers to one of `names`. */
function usesParameter(expression: string | undefined, names: readonly string[]): boolean {
  if (!expression) return false;
  return names.some((name) => expression.includes(JSON.stringify(name)) || expression.includes(`\${${name}}`));
}
