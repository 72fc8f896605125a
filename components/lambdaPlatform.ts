import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { CustomDomain } from './domain';
import { defaultStage, httpApi } from './httpApi';
import { LambdaWorkload } from './lambdaWorkload';
import { LEGACY_PARENTS, legacyOptions } from './legacy';
import type { FrontDoorMonitoring, Platform, TargetDefinition } from './targets';
import type { WorkloadSpec } from './workload';

export const LAMBDA_PLATFORM_TYPE = 'mcp-on-aws:index:LambdaPlatform';

export interface LambdaPlatformArgs {
  logRetentionDays: number;
  throttleBurstLimit: number;
  throttleRateLimit: number;
  /** Origins API Gateway answers CORS for. */
  allowedOrigins: string[];
  domain?: CustomDomain;
}

/**
 * The stack's front door on Lambda: one API Gateway HTTP API, its `$default` stage (throttled, with
 * access logs) and, with a custom domain, the domain and its mapping. Every server's workload adds its
 * integration and routes (/<server>/mcp, /<server>/healthz, and for the primary /mcp and /healthz) to it.
 * Its children keep the names they had under the one-server stack's LambdaTarget `lambda`.
 */
export class LambdaPlatform extends pulumi.ComponentResource implements Platform {
  readonly api: aws.apigatewayv2.Api;
  readonly stage: aws.apigatewayv2.Stage;
  readonly baseUrl: pulumi.Output<string>;
  readonly frontDoorMonitoring: FrontDoorMonitoring;

  constructor(name: string, args: LambdaPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    // A one-server stack's LambdaTarget children keep their names.
    const keep = (child: string, type: string) => (type === LAMBDA_PLATFORM_TYPE ? undefined : child);
    super(LAMBDA_PLATFORM_TYPE, name, {}, legacyOptions(LEGACY_PARENTS.lambda.target, keep, opts));
    const parent = this;

    this.api = httpApi(`${name}-api`, { description: 'MCP server (Streamable HTTP)', allowedOrigins: args.allowedOrigins }, parent);
    const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: args.logRetentionDays }, { parent });
    this.frontDoorMonitoring = { kind: 'httpApi', apiId: this.api.id };
    // autoDeploy deploys each route a workload adds or changes.
    this.stage = defaultStage(
      `${name}-stage`,
      { api: this.api, throttle: { burstLimit: args.throttleBurstLimit, rateLimit: args.throttleRateLimit }, accessLogs },
      { parent },
    );

    let baseUrl: pulumi.Output<string> = this.api.apiEndpoint;
    if (args.domain) {
      const domainName = new aws.apigatewayv2.DomainName(
        `${name}-domain`,
        {
          domainName: args.domain.domainName,
          domainNameConfiguration: { certificateArn: args.domain.certificateArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
        },
        { parent },
      );
      new aws.apigatewayv2.ApiMapping(`${name}-mapping`, { apiId: this.api.id, domainName: domainName.id, stage: this.stage.id }, { parent });
      args.domain.alias({ dnsName: domainName.domainNameConfiguration.targetDomainName, zoneId: domainName.domainNameConfiguration.hostedZoneId });
      baseUrl = pulumi.output(args.domain.url);
    }
    this.baseUrl = baseUrl;
    this.registerOutputs({ baseUrl: this.baseUrl, apiEndpoint: this.api.apiEndpoint });
  }
}

/** The component name of a workload on Lambda: `lambda-<server>`, or `agent`. */
export const lambdaWorkloadName = (spec: WorkloadSpec) => (spec.kind === 'agent' ? 'agent' : `lambda-${spec.name}`);

/** Lambda: one HTTP API per stack, a function (and its routes on that API) per server, and the agent behind its own IAM-authorized API. */
export const lambdaTarget: TargetDefinition<LambdaPlatform> = {
  name: 'lambda',
  platform: (ctx) =>
    new LambdaPlatform(
      'lambda',
      {
        logRetentionDays: ctx.config.logRetentionDays,
        throttleBurstLimit: ctx.config.throttleBurstLimit,
        throttleRateLimit: ctx.config.throttleRateLimit,
        allowedOrigins: ctx.config.allowedOrigins,
        domain: ctx.domain,
      },
      ctx.opts,
    ),
  workload: (platform, spec, ctx) => new LambdaWorkload(lambdaWorkloadName(spec), { platform, spec }, ctx.opts),
  noDomainWarning: 'No custom domain: mcpUrl is the API Gateway URL, which changes if the stack moves to another target.',
};
