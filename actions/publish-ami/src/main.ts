import { info, group, runAction, setOutput, stringInput, InputError } from '@img-mgr/action-kit';
import { resolveRegion } from '@img-mgr/aws';

export interface PublishInputs {
  amiId: string;
  parameterName: string;
  region: string;
}

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const PARAMETER_NAME = /^\/?[A-Za-z0-9_.\-/]{1,1011}$/;

/** Reads and validates every input once. */
export function readInputs(): PublishInputs {
  const amiId = stringInput('ami-id', {
    pattern: AMI_ID,
    patternHint: 'an AMI id is ami- followed by 8 or 17 lowercase hex digits',
  });
  if (amiId === undefined) throw new InputError('ami-id', 'is required but was not set');
  return {
    amiId,
    parameterName: stringInput('parameter-name', {
      default: '/common/img-mgr/golden-ami',
      pattern: PARAMETER_NAME,
      patternHint: 'a parameter name has only letters, digits and _.-/',
    }),
    region: resolveRegion(stringInput('region')),
  };
}

/** The action's entry point. */
export async function run(): Promise<void> {
  await runAction('publish-ami', async () => {
    const inputs = readInputs();
    // Loaded only after the inputs are valid, so a bad input fails without loading the AWS SDK.
    const { publishAmi } = await import('@img-mgr/ami-publish');
    const result = await group(`Publish ${inputs.amiId} to ${inputs.parameterName}`, () =>
      publishAmi({ ...inputs, log: info }),
    );
    info(`${inputs.parameterName} = ${inputs.amiId} (version ${result.version})`);
    setOutput('ami-id', inputs.amiId);
    setOutput('version', result.version);
  });
}
