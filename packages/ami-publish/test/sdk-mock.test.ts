/**
 * States moto cannot produce: it makes AMIs available at once and accepts
 * aws:ec2:image values synchronously. Everything here goes through the
 * package's real code; only the AWS answers are scripted.
 */
import { DescribeImagesCommand, EC2Client, type ImageState } from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  LabelParameterVersionCommand,
  ParameterNotFound,
  ParameterVersionNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { CancelledError, TimeoutError } from '@img-mgr/kernel';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishAmi, type PublishRequest } from '../src/index.js';
import { testContext } from './context.js';

const AMI = 'ami-0123456789abcdef0';
const NAME = '/common/img-mgr/golden-ami';
const image = (State: ImageState) => ({
  Images: [{ ImageId: AMI, State, Name: 'my-ami-1', CreationDate: '2026-11-22T00:00:00.000Z' }],
});
const notFound = () => new ParameterNotFound({ message: `Parameter ${NAME} not found.`, $metadata: {} });
const versionNotFound = () => new ParameterVersionNotFound({ message: 'not yet', $metadata: {} });

describe('publishAmi with scripted AWS answers', () => {
  const ec2 = mockClient(EC2Client);
  const ssm = mockClient(SSMClient);
  let lines: string[];
  const context = (signal?: AbortSignal) =>
    testContext({ AWS_ACCESS_KEY_ID: 'mock', AWS_SECRET_ACCESS_KEY: 'mock' }, lines, signal);
  const request = (overrides: Partial<PublishRequest> = {}): PublishRequest => ({
    targets: [{ region: 'us-east-1', amiId: AMI }],
    parameterName: NAME,
    labels: ['sha-abc1234'],
    tags: { application: 'img-mgr' },
    dataType: 'aws:ec2:image',
    waitTimeoutMs: 5_000,
    pollIntervalMs: 1,
    ...overrides,
  });

  beforeEach(() => {
    lines = [];
    ec2.reset();
    ssm.reset();
    ssm.on(GetParameterHistoryCommand).rejects(notFound());
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    ssm.on(LabelParameterVersionCommand).resolves({ InvalidLabels: [], ParameterVersion: 1 });
    ssm.on(AddTagsToResourceCommand).resolves({});
  });
  afterEach(() => {
    ec2.restore();
    ssm.restore();
  });

  it('publishes a pending AMI once it is available (SDK mock: moto creates AMIs available at once)', async () => {
    ec2
      .on(DescribeImagesCommand)
      .resolvesOnce(image('pending'))
      .resolvesOnce(image('pending'))
      .resolves(image('available'));
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Value: AMI, Version: 1 } });
    const report = await publishAmi(request(), context());
    expect(report.ok).toBe(true);
    expect(report.results[0]).toMatchObject({
      status: 'published',
      version: 1,
      changed: true,
      labels: ['sha-abc1234'],
    });
    expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(3);
    expect(lines.filter((line) => line.includes('is pending in us-east-1'))).toHaveLength(2);
    expect(ssm.commandCalls(PutParameterCommand)[0]?.args[0].input).toEqual({
      Name: NAME,
      Value: AMI,
      Type: 'String',
      DataType: 'aws:ec2:image',
      Overwrite: true,
    });
  });

  it('an AMI pending at wait-timeout fails, nothing written (SDK mock: moto makes AMIs available)', async () => {
    ec2.on(DescribeImagesCommand).resolves(image('pending'));
    await expect(publishAmi(request({ waitTimeoutMs: 20, pollIntervalMs: 5 }), context())).rejects.toThrow(
      TimeoutError,
    );
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('a failed AMI is refused at once and nothing is written (SDK mock: moto never fails an AMI)', async () => {
    ec2
      .on(DescribeImagesCommand)
      .resolves({ Images: [{ ImageId: AMI, State: 'failed', StateReason: { Message: 'snapshot error' } }] });
    await expect(publishAmi(request(), context())).rejects.toThrow(
      `${AMI} is failed in us-east-1, not available: snapshot error`,
    );
    expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(1);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('read-back: confirmed once SSM validated it, then labelled (SDK mock: moto validates at once)', async () => {
    ec2.on(DescribeImagesCommand).resolves(image('available'));
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(versionNotFound())
      .rejectsOnce(versionNotFound())
      .resolves({ Parameter: { Name: NAME, Value: AMI, Version: 1 } });
    const report = await publishAmi(request(), context());
    expect(report.results[0]).toMatchObject({ status: 'published', version: 1 });
    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input.Name)).toEqual([
      `${NAME}:1`,
      `${NAME}:1`,
      `${NAME}:1`,
    ]);
    expect(lines).toContain(`[us-east-1] Confirmed: ${NAME}:1 reads back ${AMI}`);
    expect(ssm.commandCalls(LabelParameterVersionCommand)[0]?.args[0].input).toEqual({
      Name: NAME,
      ParameterVersion: 1,
      Labels: ['sha-abc1234'],
    });
  });

  it('read-back: never seen fails the region, no labels or tags (SDK mock: moto validates at once)', async () => {
    ec2.on(DescribeImagesCommand).resolves(image('available'));
    ssm.on(GetParameterCommand).rejects(versionNotFound());
    const report = await publishAmi(request({ waitTimeoutMs: 30, pollIntervalMs: 5 }), context());
    expect(report.ok).toBe(false);
    expect(report.results[0]).toMatchObject({ status: 'failed', changed: false });
    expect(report.results[0]?.error).toMatch(
      new RegExp(`^${NAME}:1 in us-east-1 never read back ${AMI} within 0 s; SSM did not accept the value`),
    );
    expect(ssm.commandCalls(GetParameterCommand).length).toBeGreaterThan(1);
    expect(ssm.commandCalls(LabelParameterVersionCommand)).toHaveLength(0);
    expect(ssm.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });

  it('cancel stops waiting for a pending AMI, nothing written (SDK mock: moto makes AMIs available)', async () => {
    ec2.on(DescribeImagesCommand).resolves(image('pending'));
    const controller = new AbortController();
    const pending = publishAmi(request({ waitTimeoutMs: 600_000, pollIntervalMs: 60_000 }), context(controller.signal));
    setTimeout(() => controller.abort(new CancelledError('SIGINT')), 20);
    await expect(pending).rejects.toThrow(CancelledError);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });
});
