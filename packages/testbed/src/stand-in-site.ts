/**
 * A stand-in for a deployed site's front door, on 127.0.0.1: what a load
 * balancer in front of the img-mgr stack's instances answers, shaped like
 * the upstream app (the upload page, `POST /upload` that stores
 * `uploads/<file name>` in the bucket and answers 302 to /, and Flask's
 * `/static/img-mgr.json`). Which revision answers, and into which bucket
 * uploads go, is asked for each request (`deployed`), so that a site that
 * follows a moto stack (`followStack`) serves whatever the stack runs now,
 * and a revision can be broken the ways a bad commit breaks the app.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The upstream app's upload page heading (templates/index.html). */
const HEADING = 'Upload your files to the AWS S3 Bucket';

/** What runs behind the front door now. */
export interface Deployed {
  bucket: string;
  appRevision: string;
  amiId?: string;
}

/** How a revision is broken: uploads fail (500), `/` fails (500), or no revision file (404). */
export type Breakage = 'upload' | 'home' | 'revision-file';

export interface StandInSiteOptions {
  /** A client of the S3 the uploads go to (moto's). */
  s3: S3Client;
  /** What runs now; undefined answers 503 to everything (no healthy target). */
  deployed: () => Promise<Deployed | undefined>;
}

export interface StandInSite {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  /** Makes `appRevision` misbehave from now on (undefined `how` repairs it). */
  breakRevision(appRevision: string, how: Breakage | undefined): void;
  /** Requests answered so far, as `METHOD path status`. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * What a moto stack runs now: its BucketName output, and the app-revision
 * tag of the AMI its ImageIdOverride parameter (else its ImageId output)
 * names. Undefined while the stack, the bucket or the AMI is missing.
 */
export function followStack(
  clientConfig: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  stackName: string,
): () => Promise<Deployed | undefined> {
  const cfn = new CloudFormationClient(clientConfig);
  const ec2 = new EC2Client(clientConfig);
  return async () => {
    let outputs: Record<string, string>;
    let override: string | undefined;
    try {
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
      outputs = {};
      for (const output of stack?.Outputs ?? []) {
        if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
      }
      override = stack?.Parameters?.find((parameter) => parameter.ParameterKey === 'ImageIdOverride')?.ParameterValue;
    } catch {
      return undefined;
    }
    const bucket = outputs.BucketName;
    // The parameter first: moto does not rebuild outputs on an update, so the ImageId output may be the first AMI.
    const amiId = override || outputs.ImageId;
    if (!bucket || !amiId) return undefined;
    const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images?.[0];
    const appRevision = image?.Tags?.find((tag) => tag.Key === 'app-revision')?.Value;
    return appRevision ? { bucket, appRevision, amiId } : undefined;
  };
}

/** Starts the site on an ephemeral port of 127.0.0.1. */
export async function startStandInSite(options: StandInSiteOptions): Promise<StandInSite> {
  const broken = new Map<string, Breakage>();
  const requests: string[] = [];
  const answer = (response: ServerResponse, status: number, body = '', headers: Record<string, string> = {}) => {
    response.writeHead(status, headers);
    response.end(body);
  };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<number> => {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    const deployed = await options.deployed();
    if (!deployed) {
      answer(response, 503, 'Service Temporarily Unavailable');
      return 503;
    }
    const breakage = broken.get(deployed.appRevision);
    if (request.method === 'GET' && path === '/') {
      if (breakage === 'home') {
        answer(response, 500, 'Internal Server Error');
        return 500;
      }
      answer(response, 200, `<html><body><h1>${HEADING}</h1></body></html>`, { 'content-type': 'text/html' });
      return 200;
    }
    if (request.method === 'POST' && path === '/upload') {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      if (breakage === 'upload') {
        answer(response, 500, 'Internal Server Error');
        return 500;
      }
      const form = await new Request('http://stand-in/upload', {
        method: 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? '' },
        body: Buffer.concat(chunks),
      }).formData();
      const file = form.get('file');
      if (!(file instanceof File)) {
        answer(response, 400, 'Bad Request');
        return 400;
      }
      await options.s3.send(
        new PutObjectCommand({
          Bucket: deployed.bucket,
          Key: `uploads/${file.name}`,
          Body: Buffer.from(await file.arrayBuffer()),
        }),
      );
      answer(response, 302, '', { location: '/' });
      return 302;
    }
    if (request.method === 'GET' && path === '/static/img-mgr.json') {
      if (breakage === 'revision-file') {
        answer(response, 404, 'Not Found');
        return 404;
      }
      const body = { appRevision: deployed.appRevision, ...(deployed.amiId ? { amiId: deployed.amiId } : {}) };
      answer(response, 200, `${JSON.stringify(body)}\n`, { 'content-type': 'application/json' });
      return 200;
    }
    answer(response, 404, 'Not Found');
    return 404;
  };
  const server = createServer((request, response) => {
    handle(request, response).then(
      (status) => requests.push(`${request.method ?? '?'} ${request.url ?? '?'} ${status}`),
      () => {
        requests.push(`${request.method ?? '?'} ${request.url ?? '?'} 500`);
        if (!response.headersSent) answer(response, 500, 'stand-in site error');
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    breakRevision(appRevision, how) {
      if (how) broken.set(appRevision, how);
      else broken.delete(appRevision);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
