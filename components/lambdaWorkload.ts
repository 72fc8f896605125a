import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ENV, LAMBDA_HANDLER, MCP_PATH } from '../app/contract';
import { MCP_CORS } from '../app/cors';
import { HTTP_API_TIMEOUT_SECONDS, splitReservedConcurrency } from '../config';
import { defaultStage, httpApi, invokePermission, lambdaIntegration, route, routeName } from './httpApi';
import { lambdaBase } from './iam';
import type { LambdaPlatform } from './lambdaPlatform';
import { workloadOptions, type LegacyNames } from './legacy';
import { collectorLayerArn, type Workload, type WorkloadMonitoring, type WorkloadSpec } from './workload';

export const LAMBDA_WORKLOAD_TYPE = 'mcp-on-aws:index:LambdaWorkload';

export interface LambdaWorkloadArgs {
  platform: LambdaPlatform;
  spec: WorkloadSpec;
}

/** Children of the one-server stack's LambdaTarget that the primary server's workload takes over, by suffix. */
const LEGACY_SERVER_SUFFIXES = [
  'logs',
  'role',
  'fn',
  'live',
  'warm',
  'integration',
  'route-any-mcp',
  'route-get-healthz',
  'invoke',
  'stream-fn',
  'url',
  'url-invoke',
  'url-invoke-function',
];

/**
 * The one-server stack's names: the primary server's children were `lambda-<suffix>` under LambdaTarget
 * `lambda`; the agent's kept their names under LambdaAgent `agent`, but for its policy, `agent-agent`.
 */
const LEGACY_NAMES: LegacyNames = {
  server: (suffix) => (LEGACY_SERVER_SUFFIXES.includes(suffix) ? `lambda-${suffix}` : undefined),
  agent: (suffix, child) => (suffix === 'policy' ? 'agent-agent' : child),
};

/**
 * One workload on Lambda (arm64, Node 22): a function running the workload's bundle, with its own log
 * group and a role that may write only there (and whatever `spec.policy` grants).
 * - public (an MCP server): behind the platform's HTTP API, with a route per `spec.routes`; optionally
 *   provisioned concurrency on a `live` alias, and a streaming Function URL for calls longer than 30 s.
 * - private (the agent): behind an HTTP API of its own whose one route requires IAM authorization
 *   (SigV4-signed requests): it calls tools and, with a model, spends Bedrock tokens for its caller.
 */
export class LambdaWorkload extends pulumi.ComponentResource implements Workload {
  readonly spec: WorkloadSpec;
  readonly servesAfter: pulumi.Resource[];
  readonly functionName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  readonly functionUrl?: pulumi.Output<string>;
  readonly url?: pulumi.Output<string>;
  readonly monitoring: WorkloadMonitoring;

  constructor(name: string, args: LambdaWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    const { platform, spec } = args;
    super(LAMBDA_WORKLOAD_TYPE, name, {}, workloadOptions('lambda', LAMBDA_WORKLOAD_TYPE, name, spec, LEGACY_NAMES, opts));
    const parent = this;
    this.spec = spec;
    const settings = spec.settings;

    const { code, logGroup, role } = lambdaBase(name, spec.bundle, spec.logRetentionDays, parent);
    if (spec.policy) new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: spec.policy(parent) }, { parent });

    const variables: Record<string, pulumi.Input<string>> = {
      ...spec.environment,
      [ENV.nodeEnv]: 'production',
      // API Gateway buffers the answer: JSON, not SSE.
      ...(spec.kind === 'server' ? { [ENV.responseMode]: 'json' } : {}),
      // Every call to a server must end within the HTTP API's 30 s.
      ...(spec.callsServers ? { [ENV.callTimeout]: '10000' } : {}),
      // API Gateway checks the caller (IAM); the Host is the API's domain. The Origin check stays.
      ...(spec.exposure === 'private' ? { [ENV.allowedHosts]: '*' } : {}),
    };
    const streaming = settings.lambdaFunctionUrl && spec.exposure === 'public';
    const reserved =
      settings.lambdaReservedConcurrency === undefined ? undefined : splitReservedConcurrency(settings.lambdaReservedConcurrency, streaming);
    // Traced: Lambda's active tracing (the invocation's own X-Ray segment, whose trace the app's spans
    // join) and the collector layer, which takes the app's OTLP on loopback to X-Ray.
    const tracing = spec.tracing;
    const layers = tracing ? [aws.getRegionOutput({}, { parent }).region.apply((region) => collectorLayerArn(tracing, region))] : undefined;
    const functionArgs = (handler: string, timeout: number, reservedConcurrentExecutions?: number): aws.lambda.FunctionArgs => ({
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ['arm64'],
      handler,
      code,
      role: role.arn,
      memorySize: settings.lambdaMemoryMb,
      timeout,
      environment: { variables },
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      reservedConcurrentExecutions,
      ...(layers ? { layers, tracingConfig: { mode: 'Active' } } : {}),
    });

    const warm = settings.lambdaProvisionedConcurrency;
    const fn = new aws.lambda.Function(
      `${name}-fn`,
      {
        ...functionArgs(LAMBDA_HANDLER.http, Math.min(settings.lambdaTimeoutSeconds, HTTP_API_TIMEOUT_SECONDS), reserved?.api),
        publish: warm > 0,
      },
      { parent, dependsOn: [logGroup] },
    );

    // With provisioned concurrency, traffic goes to the `live` alias, whose instances are kept warm.
    let invokeArn: pulumi.Output<string> = fn.invokeArn;
    let qualifier: pulumi.Output<string> | undefined;
    if (warm > 0) {
      const alias = new aws.lambda.Alias(`${name}-live`, { name: 'live', functionName: fn.name, functionVersion: fn.version }, { parent });
      new aws.lambda.ProvisionedConcurrencyConfig(
        `${name}-warm`,
        { functionName: fn.name, qualifier: alias.name, provisionedConcurrentExecutions: warm },
        { parent },
      );
      invokeArn = alias.invokeArn;
      qualifier = alias.name;
    }

    // A public workload is served on the stack's API; a private one on its own, IAM-authorized.
    const api = spec.exposure === 'public' ? platform.api : httpApi(`${name}-api`, { description: 'mcp-on-aws agent' }, parent);
    const integration = lambdaIntegration(`${name}-integration`, { api, invokeArn }, parent);
    const routes =
      spec.exposure === 'public'
        ? spec.routes.map((r) => {
            const routeKey = `${r.method} ${r.path}`;
            return route(routeName(name, routeKey), { api, routeKey, integration }, parent);
          })
        : [route(`${name}-route`, { api, routeKey: '$default', integration, authorizationType: 'AWS_IAM' }, parent)];
    invokePermission(`${name}-invoke`, { api, functionName: fn.name, qualifier }, parent);

    if (spec.exposure === 'public') {
      this.servesAfter = [...routes, platform.stage];
    } else {
      const stage = defaultStage(`${name}-stage`, { api }, { parent, dependsOn: routes });
      this.servesAfter = [stage];
      this.url = api.apiEndpoint;
    }

    let streamFnName: pulumi.Output<string> | undefined;
    if (streaming) {
      const streamFn = new aws.lambda.Function(
        `${name}-stream-fn`,
        functionArgs(LAMBDA_HANDLER.stream, settings.lambdaTimeoutSeconds, reserved?.stream),
        { parent, dependsOn: [logGroup] },
      );
      const origins = spec.allowedOrigins;
      const url = new aws.lambda.FunctionUrl(
        `${name}-url`,
        {
          functionName: streamFn.name,
          authorizationType: 'NONE',
          invokeMode: 'RESPONSE_STREAM',
          ...(origins.length
            ? {
                cors: {
                  allowOrigins: origins,
                  allowMethods: ['POST', 'GET', 'DELETE'],
                  allowHeaders: MCP_CORS.allowHeaders,
                  exposeHeaders: MCP_CORS.exposeHeaders,
                  maxAge: MCP_CORS.maxAge,
                },
              }
            : {}),
        },
        { parent },
      );
      // A public Function URL needs both permissions in the function's resource policy.
      new aws.lambda.Permission(
        `${name}-url-invoke`,
        { action: 'lambda:InvokeFunctionUrl', function: streamFn.name, principal: '*', functionUrlAuthType: 'NONE' },
        { parent },
      );
      new aws.lambda.Permission(
        `${name}-url-invoke-function`,
        { action: 'lambda:InvokeFunction', function: streamFn.name, principal: '*', invokedViaFunctionUrl: true },
        { parent },
      );
      this.functionUrl = pulumi.interpolate`${url.functionUrl}${MCP_PATH.slice(1)}`;
      streamFnName = streamFn.name;
    }

    this.monitoring = {
      kind: 'lambda',
      functions: [
        { name: fn.name, ...(reserved ? { reservedConcurrency: reserved.api } : {}) },
        ...(streamFnName ? [{ name: streamFnName, ...(reserved?.stream !== undefined ? { reservedConcurrency: reserved.stream } : {}) }] : []),
      ],
    };
    this.functionName = fn.name;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ functionName: this.functionName, functionUrl: this.functionUrl, url: this.url });
  }
}
