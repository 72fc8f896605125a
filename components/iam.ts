import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { buildBundle, type BundleSpec } from '../scripts/bundles';

/** A trust policy letting an AWS service assume the role. */
export function assumeRolePolicy(service: string, actions: string[] = ['sts:AssumeRole']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: actions.length === 1 ? actions[0] : actions }],
  });
}

/** A policy document with `statements`. */
export function policyDocument(statements: pulumi.Input<object>[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

/** Writing to one log group, and nothing else. */
export function writeLogsStatement(logGroupArn: pulumi.Input<string>) {
  return { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: pulumi.interpolate`${logGroupArn}:*` };
}

/**
 * What every Lambda function here starts from: a log group with the stack's retention, a role Lambda
 * assumes that may only write to it, and the code of one bundle, built during the program so that
 * every `pulumi up` ships the code as it is now.
 */
export function lambdaBase(name: string, bundle: BundleSpec, logRetentionDays: number, parent: pulumi.Resource) {
  const code = buildBundle(bundle).then((file) => new pulumi.asset.AssetArchive({ 'index.js': new pulumi.asset.FileAsset(file) }));
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: logRetentionDays }, { parent });
  const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com') }, { parent });
  new aws.iam.RolePolicy(`${name}-logs`, { role: role.id, policy: policyDocument([writeLogsStatement(logGroup.arn)]) }, { parent });
  return { code, logGroup, role };
}
