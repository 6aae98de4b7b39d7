/**
 * The targets file: YAML listing waves in order, each with its regions and,
 * optionally, a GitHub environment, the IAM role its deploy job assumes and
 * the base URL a region's smoke test goes through:
 *
 *   waves:
 *     - regions: [us-west-2]
 *       environment: staging
 *     - regions: [eu-west-1, ap-southeast-2]
 *       environment: production
 *       role-to-assume: arn:aws:iam::123456789012:role/deploy-production
 *       smoke-urls:
 *         eu-west-1: https://eu.example.com/
 *       parameter-files:
 *         ap-southeast-2: deploy/dev-ap-southeast-2.json
 *
 * A deploy role trusts only its environment, so a wave in another environment
 * than the workflow's needs its own role. A region without a smoke URL is
 * tested through its stack's Url output (its load balancer); one behind a CDN
 * or a DNS name is tested through that. A region whose stack needs parameters
of its own (a VPC and subnets pinned by id rather than NetworkStackName) has
a parameter file of its own; the others use the workflow's parameter-file.
 *
 * Every problem (YAML syntax, an unknown key, an empty wave, a region that is
 * not one or is listed twice, a role that is not a role ARN, a smoke URL for a
 * region the wave does not list or not shaped like one) is one TargetsError
 * naming the file and the line, raised before anything talks to AWS: a typo
 * must not reach the second wave after the first one already rolled out.
 */
import {
  hasUrlCredentials,
  isParameterFilePath,
  isRoleArn,
  isSmokeUrl,
  regionProblem,
  type Env,
} from '@img-mgr/kernel';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Targets, Wave } from './targets.js';
import { TargetsError } from './targets-error.js';

const TOP_KEYS = ['waves'] as const;
const WAVE_KEYS = ['regions', 'environment', 'role-to-assume', 'smoke-urls', 'parameter-files'] as const;
/** The reusable workflow's rule for environment names (its `environment` input): letters, digits and _ . -. */
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;
/** Bounds that keep one push's rollout reviewable; the reusable workflow has one job per wave, MAX_WAVES of them. */
export const MAX_WAVES = 3;
export const MAX_REGIONS = 20;

/** Parses the targets file's `text`; `file` names it in errors; `env` may admit a new region (IMG_MGR_ANY_REGION). */
export function parseTargetsFile(text: string, file: string, env: Env = {}): Targets {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const lineOf = (node: Node | undefined | null): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  const fail = (node: Node | undefined | null, problem: string): never => {
    throw new TargetsError(file, lineOf(node) ?? 1, problem);
  };
  const syntax = doc.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0]?.line ?? lines.linePos(syntax.pos[0]).line;
    const what = syntax.code === 'DUPLICATE_KEY' ? 'a key is given twice' : 'is not valid YAML';
    throw new TargetsError(file, line, `${what} (${syntax.code})`);
  }
  const root = doc.contents;
  if (!isMap(root)) return fail(root, "must be a mapping with the key 'waves'");
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!(TOP_KEYS as readonly string[]).includes(key))
      fail(pair.key, `unknown key '${clip(key)}' (the file has only: ${TOP_KEYS.join(', ')})`);
  }
  const wavesNode = root.get('waves', true) as Node | undefined;
  if (!wavesNode) return fail(root, "has no 'waves' (a list of waves, each with 'regions')");
  if (!isSeq(wavesNode) || wavesNode.items.length === 0)
    return fail(wavesNode, "'waves' must be a non-empty list of waves");
  if (wavesNode.items.length > MAX_WAVES) fail(wavesNode.items[MAX_WAVES] as Node, `has more than ${MAX_WAVES} waves`);

  const seen = new Map<string, number>();
  const waves: Wave[] = wavesNode.items.map((item, index) => {
    const number = index + 1;
    const node = item as Node;
    if (!isMap(node)) return fail(node, `wave ${number} must be a mapping with 'regions'`);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!(WAVE_KEYS as readonly string[]).includes(key))
        fail(
          pair.key as Node,
          `wave ${number} has an unknown key '${clip(key)}' (a wave has: ${WAVE_KEYS.join(', ')})`,
        );
    }
    const regionsNode = node.get('regions', true) as Node | undefined;
    if (!regionsNode) return fail(node, `wave ${number} has no 'regions'`);
    if (!isSeq(regionsNode)) return fail(regionsNode, `wave ${number}'s 'regions' must be a list of regions`);
    if (regionsNode.items.length === 0) return fail(regionsNode, `wave ${number} is empty (it lists no region)`);
    const regions = regionsNode.items.map((regionItem) => {
      const regionNode = regionItem as Node;
      const value = isScalar(regionNode) ? regionNode.value : undefined;
      if (typeof value !== 'string') return fail(regionNode, `wave ${number} lists a region that is not a name`);
      const problem = regionProblem(value, env);
      if (problem) return fail(regionNode, `wave ${number} lists ${clipProblem(problem)}`);
      const earlier = seen.get(value);
      if (earlier !== undefined)
        fail(
          regionNode,
          `region ${value} is listed twice (wave ${earlier} and wave ${number}); a region rolls out once`,
        );
      seen.set(value, number);
      return value;
    });
    if (seen.size > MAX_REGIONS) fail(regionsNode, `lists more than ${MAX_REGIONS} regions`);
    const environmentNode = node.get('environment', true) as Node | undefined;
    let environment: string | undefined;
    if (environmentNode) {
      const value = isScalar(environmentNode) ? environmentNode.value : undefined;
      if (typeof value !== 'string' || !ENVIRONMENT.test(value))
        fail(
          environmentNode,
          `wave ${number}'s 'environment' must be a GitHub environment name (letters, digits and _ . -)`,
        );
      environment = value as string;
    }
    const role = readRole(node.get('role-to-assume', true), number, fail);
    const smokeUrls = readRegionMap(SMOKE_URLS, node.get('smoke-urls', true), number, regions, fail);
    const parameterFiles = readRegionMap(PARAMETER_FILES, node.get('parameter-files', true), number, regions, fail);
    return {
      number,
      regions,
      ...(environment ? { environment } : {}),
      ...(role !== undefined ? { role } : {}),
      ...(smokeUrls !== undefined ? { smokeUrls } : {}),
      ...(parameterFiles !== undefined ? { parameterFiles } : {}),
    };
  });
  return { source: file, home: waves[0]?.regions[0] ?? '', waves };
}

type Fail = (node: Node | undefined | null, problem: string) => never;

/** A wave's `role-to-assume`: an IAM role ARN, the rule of the workflow's input of that name. */
function readRole(node: Node | undefined, number: number, fail: Fail): string | undefined {
  if (!node) return undefined;
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== 'string')
    return fail(node, `wave ${number}'s 'role-to-assume' must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  if (!isRoleArn(value))
    fail(
      node,
      `wave ${number}'s 'role-to-assume' has '${clip(value)}', which is not an IAM role ARN ` +
        '(arn:aws:iam::<account>:role/<name>)',
    );
  return value;
}

/** How a region map of a wave (`smoke-urls`, `parameter-files`) names its values, and checks one. */
interface RegionMapRule {
  key: string;
  /** What the values are, plural ("URLs", "files"; "parameter files" in the regions hint). */
  values: string;
  hint: string;
  /** The problem of one value for `region` (`what` names it in the line), or undefined for a good one. */
  problem: (value: unknown, what: string) => string | undefined;
  /** The value's name in a line: "smoke URL", "parameter file". */
  singular: string;
}

const SMOKE_URLS: RegionMapRule = {
  key: 'smoke-urls',
  values: 'URLs',
  hint: 'smoke URLs',
  singular: 'smoke URL',
  problem: (url, what) => {
    // Never repeated, not even clipped: the user info may be a token.
    if (typeof url === 'string' && hasUrlCredentials(url))
      return `${what} holds credentials (user:token@), which would reach logs and the summary`;
    if (typeof url === 'string' && isSmokeUrl(url)) return undefined;
    return (
      `${what} ${typeof url === 'string' ? `has '${clip(url)}', which ` : ''}is not an http:// or https:// ` +
      'base URL (scheme://host[:port]/path: no query, fragment, spaces, quotes or ${...})'
    );
  },
};

const PARAMETER_FILES: RegionMapRule = {
  key: 'parameter-files',
  values: 'files',
  hint: 'parameter files',
  singular: 'parameter file',
  problem: (path, what) =>
    typeof path === 'string' && isParameterFilePath(path)
      ? undefined
      : `${what} ${typeof path === 'string' ? `has '${clip(path)}', which ` : ''}` +
        'is not a .json, .yaml or .yml path relative to the repository (letters, digits and . _ - /, no ..)',
};

/** A wave's region map: some of its own regions, each to a value the rule accepts. */
function readRegionMap(
  rule: RegionMapRule,
  node: Node | undefined,
  number: number,
  regions: string[],
  fail: Fail,
): Record<string, string> | undefined {
  if (!node) return undefined;
  if (!isMap(node))
    return fail(node, `wave ${number}'s '${rule.key}' must be a mapping of its regions to ${rule.values}`);
  const map: Record<string, string> = {};
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const region = isScalar(keyNode) ? keyNode.value : undefined;
    if (typeof region !== 'string')
      return fail(keyNode, `wave ${number}'s '${rule.key}' has a key that is not a region`);
    if (!regions.includes(region))
      fail(
        keyNode,
        `wave ${number}'s '${rule.key}' names '${clip(region)}', which is not a region of wave ${number} ` +
          `(a wave's ${rule.hint} are for its own regions)`,
      );
    const valueNode = (pair.value ?? keyNode) as Node;
    const value = isScalar(valueNode) ? valueNode.value : undefined;
    const problem = rule.problem(value, `wave ${number}'s ${rule.singular} for ${region}`);
    if (problem !== undefined || typeof value !== 'string') return fail(valueNode, problem ?? 'is not text');
    map[region] = value;
  }
  return map;
}

/** A user's text in an error line: short, printable. */
function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 37)}...` : printable;
}

/** regionProblem's text ("'x', which is not ...") with the user's value clipped. */
function clipProblem(problem: string): string {
  return problem.replace(/^'([^']*)'/, (_, value: string) => `'${clip(value)}'`);
}
