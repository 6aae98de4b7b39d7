/**
 * The environment an img-mgr instance gets from the stack: the user data of
 * the stack's launch template writes /etc/img-mgr/app.env (IMG_MGR_BUCKET,
 * IMG_MGR_ENVIRONMENT, AWS_DEFAULT_REGION…), which the app's service reads.
 * The local preview reads that same file's content from the deployed launch
 * template, so it follows whatever the template writes.
 */
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { createClient } from '@img-mgr/aws';

/** Where the user data writes the app's environment. */
export const APP_ENV_FILE = '/etc/img-mgr/app.env';

/** The KEY=VALUE lines of the here-document that the user data writes to app.env; undefined when it writes none. */
export function appEnvFromUserData(userData: string): Record<string, string> | undefined {
  const escaped = APP_ENV_FILE.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const heredoc = new RegExp(`>\\s*${escaped}\\s*<<-?\\s*(['"]?)(\\w+)\\1[^\\n]*\\n([\\s\\S]*?)\\n\\s*\\2\\s*(\\n|$)`).exec(userData);
  if (!heredoc) return undefined;
  const env: Record<string, string> = {};
  for (const line of (heredoc[3] ?? '').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1]) env[match[1]] = (match[2] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

/** The app environment written by the user data of launch template `id` ($Latest), or undefined. */
export async function instanceAppEnv(launchTemplateId: string, region: string, signal?: AbortSignal): Promise<Record<string, string> | undefined> {
  const ec2 = createClient(EC2Client, { region, service: 'EC2', caller: 'pipeline', maxAttempts: 3 });
  const response = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: ['$Latest'] }), { abortSignal: signal });
  const encoded = response.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData;
  if (!encoded) return undefined;
  return appEnvFromUserData(Buffer.from(encoded, 'base64').toString('utf8'));
}
