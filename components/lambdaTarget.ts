import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ENV, HEALTH_PATH, LAMBDA_HANDLER, MCP_PATH } from '../app/contract';
import { MCP_CORS } from '../app/cors';
import { HTTP_API_TIMEOUT_SECONDS, splitReservedConcurrency } from '../config';
import type { CustomDomain } from './domain';
import type { DiscoveryService } from './discovery';
import { lambdaBase } from './iam';

export interface LambdaTargetArgs {
  memoryMb: number;
  /** Timeout of the Function URL's function; the HTTP API's function is capped at 30 s. */
  timeoutSeconds: number;
  logRetentionDays: number;
  throttleBurstLimit: number;
  throttleRateLimit: number;
  /** Origins allowed by CORS and by the app's Origin check. */
  allowedOrigins: string[];
  /** A Function URL in RESPONSE_STREAM mode, for tool calls longer than HTTP API's 30 s. */
  functionUrl: boolean;
  /** Instances kept warm on the `live` alias; 0 for none. */
  provisionedConcurrency: number;
  /** The most instances the endpoint runs at once, split between the two functions with `functionUrl`. */
  reservedConcurrency?: number;
  domain?: CustomDomain;
  /** The primary server's Cloud Map service. */
  service: DiscoveryService;
}

/**
 * The app on Lambda (arm64, Node 22) behind an API Gateway HTTP API (payload format 2.0), optionally
 * with a custom domain, a streaming Function URL and provisioned concurrency; registered in Cloud Map.
 */
export class LambdaTarget extends pulumi.ComponentResource {
  readonly mcpUrl: pulumi.Output<string>;
  readonly healthUrl: pulumi.Output<string>;
  readonly apiEndpoint: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly functionUrl?: pulumi.Output<string>;

  constructor(name: string, args: LambdaTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:LambdaTarget', name, {}, opts);
    const parent = this;

    const { code, logGroup, role } = lambdaBase(name, { kind: 'lambda', server: args.service.server }, args.logRetentionDays, parent);

    const environment = {
      variables: {
        [ENV.nodeEnv]: 'production',
        [ENV.responseMode]: 'json',
        [ENV.allowedOrigins]: args.allowedOrigins.join(','),
        [ENV.logLevel]: 'info',
      },
    };
    const reserved = args.reservedConcurrency === undefined ? undefined : splitReservedConcurrency(args.reservedConcurrency, args.functionUrl);
    const functionArgs = (handler: string, timeout: number, reservedConcurrentExecutions?: number): aws.lambda.FunctionArgs => ({
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ['arm64'],
      handler,
      code,
      role: role.arn,
      memorySize: args.memoryMb,
      timeout,
      environment,
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      reservedConcurrentExecutions,
    });

    const fn = new aws.lambda.Function(
      `${name}-fn`,
      {
        ...functionArgs(LAMBDA_HANDLER.http, Math.min(args.timeoutSeconds, HTTP_API_TIMEOUT_SECONDS), reserved?.api),
        publish: args.provisionedConcurrency > 0,
      },
      { parent, dependsOn: [logGroup] },
    );

    // With provisioned concurrency, traffic goes to the `live` alias, whose instances are kept warm.
    let invokeArn: pulumi.Output<string> = fn.invokeArn;
    let qualifier: pulumi.Output<string> | undefined;
    if (args.provisionedConcurrency > 0) {
      const alias = new aws.lambda.Alias(`${name}-live`, { name: 'live', functionName: fn.name, functionVersion: fn.version }, { parent });
      new aws.lambda.ProvisionedConcurrencyConfig(
        `${name}-warm`,
        { functionName: fn.name, qualifier: alias.name, provisionedConcurrentExecutions: args.provisionedConcurrency },
        { parent },
      );
      invokeArn = alias.invokeArn;
      qualifier = alias.name;
    }

    const api = new aws.apigatewayv2.Api(
      `${name}-api`,
      {
        protocolType: 'HTTP',
        description: 'MCP server (Streamable HTTP)',
        ...(args.allowedOrigins.length ? { corsConfiguration: { ...MCP_CORS, allowOrigins: args.allowedOrigins } } : {}),
      },
      { parent },
    );
    const integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      {
        apiId: api.id,
        integrationType: 'AWS_PROXY',
        integrationUri: invokeArn,
        integrationMethod: 'POST',
        payloadFormatVersion: '2.0',
        timeoutMilliseconds: HTTP_API_TIMEOUT_SECONDS * 1000,
      },
      { parent },
    );
    // /mcp takes every method so that the app answers GET and DELETE with its own 405.
    const routes = [`ANY ${MCP_PATH}`, `GET ${HEALTH_PATH}`].map(
      (routeKey) =>
        new aws.apigatewayv2.Route(
          `${name}-route-${routeKey.replace(/[^A-Za-z]+/g, '-').toLowerCase()}`,
          { apiId: api.id, routeKey, target: pulumi.interpolate`integrations/${integration.id}` },
          { parent },
        ),
    );
    const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: args.logRetentionDays }, { parent });
    const stage = new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: api.id,
        name: '$default',
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingBurstLimit: args.throttleBurstLimit,
          throttlingRateLimit: args.throttleRateLimit,
          detailedMetricsEnabled: true,
        },
        accessLogSettings: {
          destinationArn: accessLogs.arn,
          format: JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        },
      },
      { parent, dependsOn: routes },
    );
    // Only this API may invoke the function.
    new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: 'lambda:InvokeFunction',
        function: fn.name,
        principal: 'apigateway.amazonaws.com',
        sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
        qualifier,
      },
      { parent },
    );

    let baseUrl: pulumi.Output<string> = api.apiEndpoint;
    if (args.domain) {
      const domainName = new aws.apigatewayv2.DomainName(
        `${name}-domain`,
        {
          domainName: args.domain.domainName,
          domainNameConfiguration: {
            certificateArn: args.domain.certificateArn,
            endpointType: 'REGIONAL',
            securityPolicy: 'TLS_1_2',
          },
        },
        { parent },
      );
      new aws.apigatewayv2.ApiMapping(`${name}-mapping`, { apiId: api.id, domainName: domainName.id, stage: stage.id }, { parent });
      args.domain.alias({
        dnsName: domainName.domainNameConfiguration.targetDomainName,
        zoneId: domainName.domainNameConfiguration.hostedZoneId,
      });
      baseUrl = pulumi.output(args.domain.url);
    }

    if (args.functionUrl) {
      const streamFn = new aws.lambda.Function(
        `${name}-stream-fn`,
        functionArgs(LAMBDA_HANDLER.stream, args.timeoutSeconds, reserved?.stream),
        { parent, dependsOn: [logGroup] },
      );
      const url = new aws.lambda.FunctionUrl(
        `${name}-url`,
        {
          functionName: streamFn.name,
          authorizationType: 'NONE',
          invokeMode: 'RESPONSE_STREAM',
          ...(args.allowedOrigins.length
            ? {
                cors: {
                  allowOrigins: args.allowedOrigins,
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
    }

    this.apiEndpoint = api.apiEndpoint;
    this.functionName = fn.name;
    this.mcpUrl = pulumi.interpolate`${baseUrl}${MCP_PATH}`;
    this.healthUrl = pulumi.interpolate`${baseUrl}${HEALTH_PATH}`;
    args.service.register({ url: this.mcpUrl, target: 'lambda' }, { dependsOn: [stage] });
    this.registerOutputs({ mcpUrl: this.mcpUrl, healthUrl: this.healthUrl, functionUrl: this.functionUrl });
  }
}
