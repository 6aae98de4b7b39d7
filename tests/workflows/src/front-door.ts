/**
 * The sites the caller workflows smoke-test under act: one stand-in front
 * door (testbed's, shaped like the upstream app) per stack, each following
 * what its moto stack runs now (the BucketName output, the app-revision tag
 * of the ImageId output's AMI). moto's load balancer has a DNS name that
 * answers nothing, so the callers' smoke-url (the repository variables
 * SMOKE_URL and PROD_SMOKE_URL) points at these instead.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { followStack, startStandInSite, type Moto, type StandInSite } from '@img-mgr/testbed';

export interface FrontDoors {
  /** act --var values: each variable name to its site's URL. */
  readonly vars: Record<string, string>;
  /** The site behind a variable (to break a revision). */
  site(variable: string): StandInSite;
  close(): Promise<void>;
}

/** A stack a front door follows: its name (in moto's region), or its name and region. */
export type FrontDoorStack = string | { stack: string; region: string };

/** Starts one site per `variable: stack` entry (a stack of another region for a later wave's region). */
export async function startFrontDoors(moto: Moto, stacks: Record<string, FrontDoorStack>): Promise<FrontDoors> {
  const s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
  const sites = new Map<string, StandInSite>();
  for (const [variable, entry] of Object.entries(stacks)) {
    const { stack, region } = typeof entry === 'string' ? { stack: entry, region: moto.clientConfig.region } : entry;
    const deployed = followStack({ ...moto.clientConfig, region }, stack);
    sites.set(variable, await startStandInSite({ s3, deployed }));
  }
  return {
    vars: Object.fromEntries([...sites].map(([variable, site]) => [variable, site.url])),
    site(variable) {
      const site = sites.get(variable);
      if (!site) throw new Error(`no front door for ${variable}`);
      return site;
    },
    async close() {
      await Promise.all([...sites.values()].map((site) => site.close()));
      s3.destroy();
    },
  };
}
