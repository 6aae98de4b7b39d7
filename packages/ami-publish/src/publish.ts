/** Writes the golden-AMI pointer. */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createClient } from '@img-mgr/aws';

export interface PublishRequest {
  amiId: string;
  parameterName: string;
  region: string;
  log: (line: string) => void;
}

export interface PublishResult {
  version: number;
}

/** Writes the AMI id to the parameter. */
export async function publishAmi(request: PublishRequest): Promise<PublishResult> {
  const ssm = createClient(SSMClient, { region: request.region, service: 'SSM', caller: 'publish-ami', log: request.log });
  const response = await ssm.send(
    new PutParameterCommand({ Name: request.parameterName, Value: request.amiId, Type: 'String', Overwrite: true, DataType: 'text' }),
  );
  return { version: response.Version ?? 0 };
}
