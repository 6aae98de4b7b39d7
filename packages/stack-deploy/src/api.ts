/** The AWS clients of a deploy, taken from the caller's Context, with every API call counted. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from '@img-mgr/kernel';

/** Calls per operation name, e.g. { DescribeStackEvents: 12 }. */
export type CallCounts = Record<string, number>;

interface CommandWithStack {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * Returns a function that marks a command to be counted in `counts` when it
 * is sent (retries are not counted twice). It marks the command, not the
 * client: the Context's clients are shared by every deploy of the caller.
 */
export function callCounter(counts: CallCounts): <C extends object>(command: C) => C {
  return (command) => {
    (command as unknown as CommandWithStack).middlewareStack.add(
      (next, context) => (args) => {
        const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        counts[name] = (counts[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'stackDeployCountCall' },
    );
    return command;
  };
}

/** The CloudFormation client of `region`. */
export function cloudFormationClient(context: Context, region: string): CloudFormationClient {
  return context.clients.get(CloudFormationClient, region);
}

/** The S3 client of `region` (path-style addressing under an endpoint override: see the kernel's clientConfig). */
export function s3Client(context: Context, region: string): S3Client {
  return context.clients.get(S3Client, region);
}
