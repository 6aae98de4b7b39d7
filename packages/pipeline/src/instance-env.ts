/**
 * The environment an img-mgr instance gets from the stack: the user data of
 * the stack's launch template writes /etc/img-mgr/app.env (IMG_MGR_BUCKET,
 * IMG_MGR_ENVIRONMENT, AWS_DEFAULT_REGION…), which the app's service reads.
 * The local preview reads that same file's content from the deployed launch
 * template, so it follows whatever the template writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Context } from '@img-mgr/kernel';

/** Where the user data writes the instance's configuration (app.env, aws-config). */
export const INSTANCE_CONFIG_DIR = '/etc/img-mgr';

/** Where the user data writes the app's environment. */
export const APP_ENV_FILE = `${INSTANCE_CONFIG_DIR}/app.env`;

/** What the user data configures: the app's environment and the files it writes under /etc/img-mgr. */
export interface InstanceConfig {
  env: Record<string, string>;
  /** File name (under /etc/img-mgr) → content, from the user data's here-documents. */
  files: Map<string, string>;
}

/** The files the user data writes under /etc/img-mgr with here-documents (`cat >/etc/img-mgr/NAME <<'EOF'`). */
export function instanceFilesFromUserData(userData: string): Map<string, string> {
  const dir = INSTANCE_CONFIG_DIR.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const heredoc = new RegExp(
    `>\\s*${dir}/([\\w.-]+)\\s*<<-?\\s*(['"]?)(\\w+)\\2[^\\n]*\\n([\\s\\S]*?)\\n\\s*\\3\\s*(?=\\n|$)`,
    'g',
  );
  const files = new Map<string, string>();
  for (const match of userData.matchAll(heredoc)) files.set(match[1] ?? '', `${match[4] ?? ''}\n`);
  return files;
}

/** The KEY=VALUE lines of the here-document that the user data writes to app.env; undefined when it writes none. */
export function appEnvFromUserData(userData: string): Record<string, string> | undefined {
  const content = instanceFilesFromUserData(userData).get('app.env');
  if (content === undefined) return undefined;
  const env: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1]) env[match[1]] = (match[2] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

/**
 * Writes the instance's configuration files into `dir` and returns the app's
 * environment with every path under /etc/img-mgr pointing into `dir`, so a
 * local run of the app reads the same files (AWS_CONFIG_FILE, for SigV4).
 */
export function localInstanceEnv(config: InstanceConfig, dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of config.files) writeFileSync(join(dir, name), content);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.env)) {
    env[key] = value.startsWith(`${INSTANCE_CONFIG_DIR}/`)
      ? join(dir, value.slice(INSTANCE_CONFIG_DIR.length + 1))
      : value;
  }
  return env;
}

/** What the user data of launch template `id` ($Latest) configures, or undefined when it writes no app.env. */
export async function instanceConfig(
  launchTemplateId: string,
  region: string,
  aws: Pick<Context, 'clients' | 'signal'>,
): Promise<InstanceConfig | undefined> {
  const response = await aws.clients
    .get(EC2Client, region)
    .send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: ['$Latest'] }), {
      abortSignal: aws.signal,
    });
  const encoded = response.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData;
  if (!encoded) return undefined;
  const userData = Buffer.from(encoded, 'base64').toString('utf8');
  const env = appEnvFromUserData(userData);
  return env ? { env, files: instanceFilesFromUserData(userData) } : undefined;
}
