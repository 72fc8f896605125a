import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { MCP_CORS } from '../app/cors';
import { HTTP_API_TIMEOUT_SECONDS } from '../config';

/**
 * The API Gateway HTTP API pieces every Lambda workload is served with: the stack's front door (one API,
 * a route per server path) and the agent's own IAM-authorized API are built from these, so that an
 * integration, a route, a stage or an invoke permission is written once.
 */

/** What the stage logs of each request (JSON, one line per request). */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
});

/** An HTTP API; with `allowedOrigins`, API Gateway answers CORS for them with the MCP headers. */
export function httpApi(name: string, args: { description: string; allowedOrigins?: readonly string[] }, parent: pulumi.Resource): aws.apigatewayv2.Api {
  const origins = args.allowedOrigins ?? [];
  return new aws.apigatewayv2.Api(
    name,
    {
      protocolType: 'HTTP',
      description: args.description,
      ...(origins.length ? { corsConfiguration: { ...MCP_CORS, allowOrigins: [...origins] } } : {}),
    },
    { parent },
  );
}

/** A Lambda proxy integration (payload format 2.0) with HTTP API's longest timeout. */
export function lambdaIntegration(
  name: string,
  args: { api: aws.apigatewayv2.Api; invokeArn: pulumi.Input<string> },
  parent: pulumi.Resource,
): aws.apigatewayv2.Integration {
  return new aws.apigatewayv2.Integration(
    name,
    {
      apiId: args.api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: args.invokeArn,
      integrationMethod: 'POST',
      payloadFormatVersion: '2.0',
      timeoutMilliseconds: HTTP_API_TIMEOUT_SECONDS * 1000,
    },
    { parent },
  );
}

/** The resource name of route `routeKey` under `prefix`: `ANY /cost/mcp` → `<prefix>-route-any-cost-mcp`. */
export const routeName = (prefix: string, routeKey: string) => `${prefix}-route-${routeKey.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

/** A route to an integration; `AWS_IAM` admits only SigV4-signed requests of principals allowed execute-api:Invoke. */
export function route(
  name: string,
  args: { api: aws.apigatewayv2.Api; routeKey: string; integration: aws.apigatewayv2.Integration; authorizationType?: 'AWS_IAM' },
  parent: pulumi.Resource,
): aws.apigatewayv2.Route {
  return new aws.apigatewayv2.Route(
    name,
    {
      apiId: args.api.id,
      routeKey: args.routeKey,
      target: pulumi.interpolate`integrations/${args.integration.id}`,
      ...(args.authorizationType ? { authorizationType: args.authorizationType } : {}),
    },
    { parent },
  );
}

/** The `$default` stage, deployed on every change; optionally throttled and with access logs in `accessLogs`. */
export function defaultStage(
  name: string,
  args: {
    api: aws.apigatewayv2.Api;
    throttle?: { burstLimit: number; rateLimit: number };
    accessLogs?: aws.cloudwatch.LogGroup;
  },
  opts: pulumi.CustomResourceOptions,
): aws.apigatewayv2.Stage {
  return new aws.apigatewayv2.Stage(
    name,
    {
      apiId: args.api.id,
      name: '$default',
      autoDeploy: true,
      ...(args.throttle
        ? {
            defaultRouteSettings: {
              throttlingBurstLimit: args.throttle.burstLimit,
              throttlingRateLimit: args.throttle.rateLimit,
              detailedMetricsEnabled: true,
            },
          }
        : {}),
      ...(args.accessLogs ? { accessLogSettings: { destinationArn: args.accessLogs.arn, format: ACCESS_LOG_FORMAT } } : {}),
    },
    opts,
  );
}

/** Lets `api` (any stage, any route) and nothing else invoke the function, or its alias `qualifier`. */
export function invokePermission(
  name: string,
  args: { api: aws.apigatewayv2.Api; functionName: pulumi.Input<string>; qualifier?: pulumi.Input<string> },
  parent: pulumi.Resource,
): aws.lambda.Permission {
  return new aws.lambda.Permission(
    name,
    {
      action: 'lambda:InvokeFunction',
      function: args.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: pulumi.interpolate`${args.api.executionArn}/*/*`,
      ...(args.qualifier ? { qualifier: args.qualifier } : {}),
    },
    { parent },
  );
}
