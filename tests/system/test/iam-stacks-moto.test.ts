// @needs-tools moto_server
/**
 * The IAM templates deploy on moto with their optional parts on (the KMS
 * policy, the OIDC provider), the deploy role of each environment (importing
 * the execution role's export) and the plan role, and img-mgr.yaml's instance
 * role lands under the path with the boundary. moto proves only that the
 * templates deploy and the properties arrive: it enforces neither trust
 * conditions nor boundaries (the iam-*.test.ts evaluator tests do that).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  type Parameter,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '@img-mgr/testbed';
import { cfnDir } from './helpers.js';
import { motoQuery, xmlValues } from './moto-query.js';

type Params = Record<string, string>;

describe(
  'github-bake-role.yaml, github-deploy-role.yaml and ' +
    'github-plan-role.yaml on moto (deploys only; moto enforces no IAM)',
  () => {
    let moto: Moto;
    let cfn: CloudFormationClient;
    beforeAll(async () => {
      moto = await startMoto();
      cfn = new CloudFormationClient(moto.clientConfig);
    });
    afterAll(async () => {
      cfn.destroy();
      await moto.stop();
    });

    async function create(name: string, template: string, parameters: Record<string, string>): Promise<Stack> {
      const Parameters: Parameter[] = Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      }));
      await cfn.send(
        new CreateStackCommand({
          StackName: name,
          TemplateBody: readFileSync(join(cfnDir, template), 'utf8'),
          Parameters,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
      for (let attempt = 0; attempt < 100; attempt++) {
        const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
        if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) return stack;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`${name} did not settle`);
    }
    const output = (stack: Stack | undefined, key: string) =>
      stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue ?? '';
    /**
     * TrustedSubjects as CloudFormation builds it: moto joins the unused AWS::NoValue items as "None", CloudFormation
     * drops them.
     */
    const subjects = (stack: Stack) =>
      output(stack, 'TrustedSubjects')
        .split(',')
        .filter((item) => item !== 'None');

    it(
      'deploys github-bake-role.yaml with a KMS key and the provider; ' +
        'the execution role and boundary sit under /img-mgr/',
      async () => {
        const stack = await create('img-mgr-github-oidc', 'github-bake-role.yaml', {
          ...(JSON.parse(readFileSync(join(cfnDir, 'parameters/github-bake-role.json'), 'utf8')) as Params),
          CreateOidcProvider: 'true',
          AmiKmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        });
        expect(stack.StackStatus).toBe('CREATE_COMPLETE');
        expect(output(stack, 'CloudFormationExecutionRoleArn')).toMatch(/:role\/img-mgr\/deploy\//);
        expect(output(stack, 'InstanceRoleBoundaryArn')).toMatch(/:policy\/img-mgr\/img-mgr-stack-role-boundary$/);
        expect(output(stack, 'InstanceRolePath')).toBe('/img-mgr/instances/');
        expect(output(stack, 'BakeRoleArn')).toMatch(/:role\/img-mgr-github-bake$/);
        expect(subjects(stack)).toEqual(['repo:your-user@1234567/flask-aws-storage@890123456:ref:refs/heads/master']);
        const policy = await motoQuery(moto.endpoint, moto.region, 'iam', 'GetRolePolicy', {
          RoleName: 'img-mgr-github-bake',
          PolicyName: 'bake-ami-kms',
        });
        expect(decodeURIComponent(xmlValues(policy, 'PolicyDocument')[0] ?? '')).toContain('kms:GrantIsForAWSResource');
      },
    );

    it.each(['dev', 'prod'])(
      'deploys github-deploy-role.yaml for %s (after github-bake-role.yaml): ' +
        'it passes the imported execution role, trusts only the environment',
      async (environment) => {
        const oidc = (await cfn.send(new DescribeStacksCommand({ StackName: 'img-mgr-github-oidc' }))).Stacks?.[0];
        expect(oidc?.StackStatus, 'github-bake-role.yaml is deployed first').toBe('CREATE_COMPLETE');
        const parameters = JSON.parse(
          readFileSync(join(cfnDir, `parameters/github-deploy-role-${environment}.json`), 'utf8'),
        ) as Record<string, string>;
        const stack = await create(`img-mgr-github-deploy-${environment}`, 'github-deploy-role.yaml', parameters);
        expect(stack.StackStatus).toBe('CREATE_COMPLETE');
        expect(output(stack, 'DeployRoleArn')).toMatch(new RegExp(`:role/img-mgr-github-deploy-${environment}$`));
        expect(subjects(stack)).toEqual([
          `repo:your-user@1234567/flask-aws-storage@890123456:environment:${environment}`,
        ]);
        const policy = await motoQuery(moto.endpoint, moto.region, 'iam', 'GetRolePolicy', {
          RoleName: `img-mgr-github-deploy-${environment}`,
          PolicyName: 'deploy-stack',
        });
        const document = decodeURIComponent(xmlValues(policy, 'PolicyDocument')[0] ?? '');
        expect(document).toContain(output(oidc, 'CloudFormationExecutionRoleArn'));
        expect(document).toContain(`stack/img-mgr-${environment}/*`);
      },
    );

    it('deploys github-plan-role.yaml', async () => {
      const stack = await create('img-mgr-github-plan', 'github-plan-role.yaml', {
        GitHubRepository: 'your-user/flask-aws-storage',
        GitHubOwnerId: '1234567',
        GitHubRepositoryId: '890123456',
      });
      expect(stack.StackStatus).toBe('CREATE_COMPLETE');
      expect(output(stack, 'PlanRoleArn')).toMatch(/:role\/img-mgr-github-plan$/);
      expect(subjects(stack)).toEqual(['repo:your-user@1234567/flask-aws-storage@890123456:pull_request']);
    });
  },
);
