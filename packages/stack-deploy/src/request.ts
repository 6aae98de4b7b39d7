/** What a deploy is asked to do (DeployRequest), what it reports (DeployResult), and how it fails. */
import { ActionError, CancelledError } from '@img-mgr/kernel';
import type { CallCounts } from './api.js';
import type { FailedResource } from './events.js';
import type { ChangeRow } from './plan.js';
import type { StackTag } from './tags.js';
import type { TemplateSource } from './template-source.js';

export type DeployMode = 'create-and-execute' | 'plan' | 'execute';

/** Everything a deploy needs, already validated by the caller's parsers. */
export interface DeployRequest {
  stackName: string;
  region: string;
  mode: DeployMode;
  /** Required unless mode is execute. */
  template?: TemplateSource | undefined;
  /** The change set to execute (execute mode). */
  changeSetName?: string | undefined;
  /** Makes generated change-set names unique per run and attempt. */
  run?: { runId?: string | undefined; runAttempt?: string | undefined };
  /** Overrides; a `places` map (ParameterOverrides) lets errors name an inline item by its place, not its text. */
  parameters?: ReadonlyMap<string, string> & { places?: ReadonlyMap<string, string> };
  capabilities?: readonly string[];
  tags?: readonly StackTag[];
  roleArn?: string | undefined;
  notificationArns?: readonly string[];
  /** undefined leaves it as it is. */
  terminationProtection?: boolean | undefined;
  disableRollback?: boolean;
  timeoutInMinutes?: number | undefined;
  /** Bound on all waiting; reaching it fails the deploy. */
  waitTimeoutMs: number;
  failOnEmptyChangeSet?: boolean;
  /** Delete and recreate a ROLLBACK_COMPLETE stack (default true). */
  recreateFailedStack?: boolean;
  /** Send CancelUpdateStack when aborted during an update (default true). */
  cancelOnAbort?: boolean;
  /** Where templates over 51,200 bytes are uploaded. */
  templateBucket?: string | undefined;
  /**
   * Before changing a stack whose template has an Auto Scaling group, check that its launch key lets
   * AWSServiceRoleForAutoScaling use it (launch-key-preflight.ts); default false.
   */
  checkLaunchKey?: boolean;
  /** The KMS key the instances' volumes use (the AMI's key); empty: the account's EBS default key, when it is on. */
  launchKmsKey?: string | undefined;
}

export interface DeployResult {
  stackName: string;
  stackId?: string | undefined;
  status?: string | undefined;
  noChanges: boolean;
  /** True when something was executed (or a stack created directly). */
  executed: boolean;
  changeSetId?: string | undefined;
  changeSetName?: string | undefined;
  changeSetType?: 'CREATE' | 'UPDATE' | undefined;
  changes: ChangeRow[];
  planMarkdown?: string | undefined;
  outputs: Record<string, string>;
  /** Output keys whose values carry or use a NoEcho parameter: never shown. */
  secretOutputs: string[];
  failures: FailedResource[];
  /** API calls by operation. */
  apiCalls: CallCounts;
}

/** The deploy failed; `result` holds what is known (status, root cause, change set). */
export class DeployFailedError extends ActionError {
  constructor(
    message: string,
    readonly result: DeployResult,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** The deploy stopped because it was cancelled; the message says what goes on in CloudFormation. */
export class DeployCancelledError extends CancelledError {
  constructor(message: string) {
    super();
    this.message = message;
  }
}
