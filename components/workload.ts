import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  AGENT_COMMAND,
  AGENT_PORT,
  ENV,
  frontDoorRoutes,
  MCP_PATH,
  MCP_PORT,
  SERVER_COMMAND,
  serverMcpPath,
  type AuthMode,
  type FrontDoorRoute,
} from '../app/contract';
import { keyValues, workloadSettings, type StackConfig, type WorkloadSettings } from '../config';
import type { BundleSpec } from '../scripts/bundles';
import type { Discovery, DiscoveryService } from './discovery';
import type { Authorization } from './auth';
import type { RequestState } from './requestState';
import { policyDocument } from './iam';
import { tracingEnvironment, XRAY_WRITE_STATEMENT, type TracingSpec } from './tracing';
import { defaultCollectorLayerArn } from '../config';

/**
 * What a target needs to run one workload: an MCP server, or the agent. Every target builds every
 * workload from this, so that the agent and the servers share one implementation per target.
 */
export interface WorkloadSpec {
  /** The server's name (its folder under app/servers/), or 'agent'. */
  name: string;
  kind: 'server' | 'agent';
  /** A server that also serves /mcp and /healthz at the front door. */
  primary: boolean;
  /** The primary server and the agent take over the resources of a one-server stack (see components/legacy.ts). */
  adoptsLegacy: boolean;
  /** Paths the stack's front door sends to this workload; none for the agent. */
  routes: FrontDoorRoute[];
  /** The port it listens on in a container. */
  port: number;
  /** How the image runs it. */
  command: readonly string[];
  /** Its Lambda bundle. */
  bundle: BundleSpec;
  /** Environment every target gives it; each target adds its own (HOST, PORT, MCP_RESPONSE_MODE, …). */
  environment: Record<string, pulumi.Input<string>>;
  /** Its sizes: the stack's settings, or the agent's. */
  settings: WorkloadSettings;
  /** Scales with load (servers); the agent runs one instance. */
  autoscale: boolean;
  /**
   * public: behind the stack's front door, open to the internet. private: the agent, reached only with
   * IAM-signed requests on Lambda (its own HTTP API) and only from inside the VPC or cluster on containers.
   */
  exposure: 'public' | 'private';
  /** Calls the MCP servers directly inside the VPC (Fargate: their tasks must admit it). */
  callsServers: boolean;
  /** Its own AWS permissions, as a policy document (the agent); servers call no AWS API. */
  policy?: (parent: pulumi.Resource) => pulumi.Output<string>;
  /** Environment variable → Secrets Manager ARN (containers). */
  secrets: Record<string, string>;
  secretsKmsKeyArns: string[];
  logRetentionDays: number;
  allowedOrigins: string[];
  /** Where a server registers its endpoint. */
  discovery?: DiscoveryService;
  /** Environment that names the front door (https://host): added once the target's platform is made. */
  frontDoorEnvironment?: (baseUrl: pulumi.Output<string>) => Record<string, pulumi.Input<string>>;
  /** How a server authorizes requests, as its Cloud Map endpoint says. */
  auth?: { mode: AuthMode; scope: string };
  /** Where its spans go (the collector each target runs beside it); undefined, not traced. */
  tracing?: TracingSpec;
}

/** Where CloudWatch has the metrics of a workload's compute (for the stack's dashboard and alarms). */
export type WorkloadMonitoring =
  | { kind: 'lambda'; functions: { name: pulumi.Output<string>; reservedConcurrency?: number }[] }
  | { kind: 'ecs'; clusterName: pulumi.Output<string>; serviceName: pulumi.Output<string>; targetGroup?: pulumi.Output<string> }
  | { kind: 'eks'; clusterName: pulumi.Output<string>; namespace: pulumi.Output<string>; podName: string };

/** What a target made of a workload. */
export interface Workload {
  /** Its compute's metrics. */
  readonly monitoring?: WorkloadMonitoring;
  readonly spec: WorkloadSpec;
  /** What must exist before a server's endpoint is registered in Cloud Map: its routes, rule or Ingress. */
  readonly servesAfter: pulumi.Resource[];
  /** Servers on Lambda with a streaming Function URL: that URL's MCP endpoint. */
  readonly functionUrl?: pulumi.Output<string>;
  /** The agent: its URL. */
  readonly url?: pulumi.Output<string>;
}

/** How a workload of the stack traces, from its settings (the service name X-Ray shows: <project>-<stack>-<workload>). */
export function tracingSpec(config: StackConfig, name: string): TracingSpec | undefined {
  if (!config.tracing) return undefined;
  return {
    serviceName: `${pulumi.getProject()}-${pulumi.getStack()}-${name}`,
    collectorImage: config.tracingCollectorImage,
    samplePercent: config.tracingSamplePercent,
    ...(config.tracingLambdaLayerArn ? { lambdaLayerArn: config.tracingLambdaLayerArn } : {}),
  };
}

/** The collector layer of a traced Lambda function in `region`: the setting's, or AWS's ADOT collector layer. */
export const collectorLayerArn = (tracing: TracingSpec, region: string) => tracing.lambdaLayerArn ?? defaultCollectorLayerArn(region);

/** The spec of MCP server `server`: it may read the stack's request-state secret, and write its traces. */
export function serverSpec(
  config: StackConfig,
  server: string,
  primary: boolean,
  discovery: DiscoveryService,
  auth: Authorization,
  requestState: Pick<RequestState, 'secretArn' | 'readStatement'>,
): WorkloadSpec {
  const mode = auth.mode;
  const tracing = tracingSpec(config, server);
  return {
    name: server,
    kind: 'server',
    primary,
    adoptsLegacy: primary,
    routes: frontDoorRoutes(server, primary, {
      resourceMetadata: mode !== 'none',
      authorizationServerMetadata: mode === 'cognito',
      registration: mode === 'cognito' && config.authRegistration === 'shared',
    }),
    port: MCP_PORT,
    command: SERVER_COMMAND,
    bundle: { kind: 'lambda', server },
    environment: {
      [ENV.server]: server,
      [ENV.allowedOrigins]: config.allowedOrigins.join(','),
      [ENV.logLevel]: 'info',
      // Per-tool metrics as embedded-metric-format lines: CloudWatch Logs extracts them on every target.
      [ENV.metrics]: 'emf',
      // Every instance of the server signs and verifies request state with the same key.
      [ENV.requestStateSecret]: requestState.secretArn,
      ...(tracing ? tracingEnvironment(tracing) : {}),
    },
    settings: workloadSettings(config, server),
    autoscale: true,
    exposure: 'public',
    callsServers: false,
    // A server reads the request-state secret and calls no other AWS API; its spans' collector writes to X-Ray.
    policy: () => policyDocument([requestState.readStatement(), ...(tracing ? [XRAY_WRITE_STATEMENT] : [])]),
    ...(tracing ? { tracing } : {}),
    secrets: keyValues(config.containerSecrets),
    secretsKmsKeyArns: config.containerSecretsKmsKeyArns,
    logRetentionDays: config.logRetentionDays,
    allowedOrigins: config.allowedOrigins,
    discovery,
    // The URLs a token may be issued for (oidc): the server's at the front door.
    frontDoorEnvironment: (base) =>
      auth.gateEnvironment(base, [pulumi.interpolate`${base}${serverMcpPath(server)}`, ...(primary ? [pulumi.interpolate`${base}${MCP_PATH}`] : [])]),
    auth: { mode, scope: auth.scopeFor(server) },
  };
}

/**
 * The model ARNs `bedrock:InvokeModel` (which Converse needs) is allowed on: the foundation model, or for
 * a cross-Region inference profile (us., eu., apac., global.) the profile and the model in every Region it routes to.
 */
export function bedrockModelArns(modelId: string, region: string, account: string): string[] {
  const profile = /^(us|eu|apac|us-gov|global)\.(.+)$/.exec(modelId);
  if (!profile) return [`arn:aws:bedrock:${region}::foundation-model/${modelId}`];
  return [`arn:aws:bedrock:${region}:${account}:inference-profile/${modelId}`, `arn:aws:bedrock:*::foundation-model/${profile[2]}`];
}

/**
 * The agent's permissions: list the services of the stack's namespace, discover their instances, and
 * invoke the configured model. ListServices has neither resource-level permissions nor condition keys
 * (AWS requires "*"); it returns service names and ids only. DiscoverInstances, which returns
 * endpoints, is limited to the stack's namespace.
 */
export function agentPolicy(namespaceName: string, modelId: string | undefined, parent: pulumi.Resource, extra: object[] = []): pulumi.Output<string> {
  const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const region = aws.getRegionOutput({}, { parent }).name;
  return policyDocument([
    { Effect: 'Allow', Action: ['servicediscovery:ListServices'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['servicediscovery:DiscoverInstances'],
      Resource: '*',
      Condition: { StringEquals: { 'servicediscovery:NamespaceName': namespaceName } },
    },
    ...(modelId
      ? [
          {
            Effect: 'Allow',
            Action: ['bedrock:InvokeModel'],
            Resource: pulumi.all([region, account]).apply(([r, a]) => bedrockModelArns(modelId, r, a)),
          },
        ]
      : []),
    ...extra,
  ]);
}

/** The agent's spec: it finds every server of the stack's namespace in Cloud Map. */
export function agentSpec(config: StackConfig, discovery: Discovery, auth: Authorization): WorkloadSpec {
  const tracing = tracingSpec(config, 'agent');
  return {
    name: 'agent',
    kind: 'agent',
    primary: false,
    adoptsLegacy: true,
    routes: [],
    port: AGENT_PORT,
    command: AGENT_COMMAND,
    bundle: { kind: 'agentLambda' },
    environment: {
      [ENV.namespace]: discovery.namespaceName,
      [ENV.namespaceId]: discovery.namespaceId,
      ...(config.agentModelId ? { [ENV.model]: config.agentModelId } : {}),
      [ENV.logLevel]: 'info',
      [ENV.metrics]: 'emf',
      ...(tracing ? tracingEnvironment(tracing) : {}),
      ...auth.agentEnvironment(),
    },
    settings: workloadSettings(config, 'agent'),
    autoscale: false,
    exposure: 'private',
    callsServers: true,
    policy: (parent) =>
      agentPolicy(discovery.namespaceName, config.agentModelId, parent, [...auth.agentSecretStatements(), ...(tracing ? [XRAY_WRITE_STATEMENT] : [])]),
    ...(tracing ? { tracing } : {}),
    // Its own routes (container agents) check tokens as the servers do, with the agent's scope.
    frontDoorEnvironment: (base) => auth.gateEnvironment(base),
    secrets: {},
    secretsKmsKeyArns: [],
    logRetentionDays: config.logRetentionDays,
    allowedOrigins: config.allowedOrigins,
  };
}
