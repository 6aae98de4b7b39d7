/** AWS clients for a deploy, with every API call counted. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { endpointFor } from '@img-mgr/kernel';
import { createClient, type SdkClientConfig } from '@img-mgr/kernel/aws';

/** An S3 client that addresses buckets by path, as local S3 endpoints need. */
class PathStyleS3Client extends S3Client {
  constructor(config: SdkClientConfig) {
    super({ ...config, forcePathStyle: true });
  }
}

/** Calls per operation name, e.g. { DescribeStackEvents: 12 }. */
export type CallCounts = Record<string, number>;

interface MiddlewareStack {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Counts each command `client` sends (retries are not counted twice). */
export function countCalls<C extends object>(client: C, counts: CallCounts): C {
  (client as unknown as MiddlewareStack).middlewareStack.add(
    (next, context) => (args) => {
      const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'stackDeployCountCalls' },
  );
  return client;
}

/** Creates the CloudFormation client. */
export function cloudFormationClient(options: { region: string; caller: string; log: (line: string) => void; env: NodeJS.ProcessEnv }): CloudFormationClient {
  return createClient(CloudFormationClient, { region: options.region, service: 'CLOUDFORMATION', caller: options.caller, log: options.log, env: options.env });
}

/** Creates the S3 client; path-style addressing when an endpoint override is set (moto, MinIO). */
export function s3Client(options: { region: string; caller: string; log: (line: string) => void; env: NodeJS.ProcessEnv }): S3Client {
  const Client = endpointFor('S3', options.env) ? PathStyleS3Client : S3Client;
  return createClient(Client, { region: options.region, service: 'S3', caller: options.caller, log: options.log, env: options.env });
}
