import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Target } from './app/contract';
import { choosePrimary, serverCatalog, type ServerCatalog } from './app/servers/catalog';
import { ConfigError, keyValues, parseConfig, primaryLeftOutWarning, type StackConfig } from './config';
import { Authorization, type AuthOutput } from './components/auth';
import { Discovery } from './components/discovery';
import { CustomDomain } from './components/domain';
import { eksTarget } from './components/eksPlatform';
import { fargateTarget } from './components/fargatePlatform';
import { lambdaTarget } from './components/lambdaPlatform';
import { deployOn, type ServerOutput, type TargetDefinition, type TargetOutputs } from './components/targets';
import { agentSpec, serverSpec } from './components/workload';
import { Observability, syntheticStatements } from './components/observability';
import { policyDocument } from './components/iam';
import { RequestState } from './components/requestState';
import { ENV } from './app/contract';

/** This project's settings from the stack's configuration, validated (see config.ts). */
export function readStackConfig(): StackConfig {
  const prefix = `${pulumi.getProject()}:`;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  return parseConfig(raw);
}

/** Every target, by the name the `target` setting gives: a platform per stack and a workload per server and for the agent. */
export const TARGET_DEFINITIONS: { [T in Target]: TargetDefinition<any> } = {
  lambda: lambdaTarget,
  fargate: fargateTarget,
  eks: eksTarget,
};

export interface StackOutputs extends Omit<TargetOutputs, 'monitoring'> {
  target: Target;
  /** The namespace and the primary server's Cloud Map service. */
  discovery: pulumi.Output<{ namespaceName: string; namespaceId: string; serviceName: string; serviceId: string }>;
  /** Every server: its URLs at the front door and its Cloud Map service. */
  servers: pulumi.Output<Record<string, ServerOutput>>;
  /** How clients get tokens (no secret value). */
  auth: pulumi.Output<AuthOutput>;
  /** The stack's CloudWatch dashboard, and the SNS topic its alarms notify. */
  observability: pulumi.Output<{ dashboardUrl: string; alarmTopicArn: string }>;
}

/** Said in `warnings` of a stack with `auth: none`. */
export const AUTH_NONE_WARNING =
  'auth is none: the MCP endpoints and the agent accept requests without a token; anyone who reaches a URL may call every tool (set auth to cognito or oidc)';

/**
 * Creates the stack on `config.target`: shared pieces first (tags, domain, the Cloud Map namespace and a
 * service per server, authorization, the request-state secret), then the target's platform, a workload per
 * server and the agent's, then the dashboard, alarms and synthetic check.
 */
export function deploy(config: StackConfig, catalog: ServerCatalog = serverCatalog()): StackOutputs {
  const deployed = config.servers ?? catalog.names;
  const primary = choosePrimary(catalog, deployed);
  // Checked before any resource exists: Cloud Map refuses two services of one name in a namespace.
  const clash = deployed.find((s) => s !== primary && s === config.discoveryService);
  if (clash) {
    throw new ConfigError([
      `discoveryService: "${clash}" is server ${clash}'s Cloud Map service; the primary server (${primary}) needs a name no other server has (default mcp-server)`,
    ]);
  }
  const stack = pulumi.getStack();
  const provider = new aws.Provider('aws', {
    region: aws.config.region,
    defaultTags: { tags: { ...keyValues(config.tags), 'mcp-on-aws:stack': stack, 'mcp-on-aws:target': config.target } },
  });
  const opts: pulumi.ComponentResourceOptions = { providers: { aws: provider } };
  const domain =
    config.domainName && config.hostedZoneId
      ? new CustomDomain('domain', { domainName: config.domainName, hostedZoneId: config.hostedZoneId }, opts)
      : undefined;
  const namespaceName = config.discoveryNamespace ?? `${stack}.${pulumi.getProject()}.local`;
  // The same namespace and services on every target: a stack that moves keeps its discovery names.
  const discovery = new Discovery('discovery', { namespaceName }, opts);
  const warnings: string[] = [];
  const leftOut = primaryLeftOutWarning(catalog.names.find((n) => catalog.load(n).primary), deployed, primary);
  if (leftOut) warnings.push(leftOut);
  const toolScopes = [...new Set(deployed.flatMap((s) => catalog.load(s).tools.flatMap((t) => t.scopes ?? [])))];
  const auth = new Authorization('auth', { config, stack, project: pulumi.getProject(), servers: deployed, toolScopes }, opts);
  if (config.auth === 'none') warnings.push(AUTH_NONE_WARNING);
  const requestState = new RequestState('request-state', { project: pulumi.getProject(), stack }, opts);
  const specs = deployed.map((server) => {
    const service = discovery.addServer(server, { serviceName: server === primary ? config.discoveryService : server, primary: server === primary });
    return serverSpec(config, server, server === primary, service, auth, requestState);
  });
  const outputs = deployOn(TARGET_DEFINITIONS[config.target], {
    config,
    opts,
    domain,
    discovery,
    specs: [...specs, agentSpec(config, discovery, auth)],
    stack,
    project: pulumi.getProject(),
  });
  const observability = new Observability(
    'observability',
    {
      config,
      project: pulumi.getProject(),
      stack,
      servers: deployed.map((name) => ({ name, tools: catalog.load(name).tools.map((t) => t.name) })),
      monitoring: outputs.monitoring,
      // The synthetic check finds and calls the servers as the agent does: the same discovery, the same machine client.
      synthetic: {
        environment: {
          [ENV.namespace]: discovery.namespaceName,
          [ENV.namespaceId]: discovery.namespaceId,
          [ENV.logLevel]: 'info',
          ...auth.agentEnvironment(),
        },
        statements: () => policyDocument(syntheticStatements(discovery.namespaceName, auth.agentSecretStatements())),
      },
    },
    opts,
  );
  const region = aws.getRegionOutput({}, { provider }).region;
  const { monitoring: _monitoring, ...stackOutputs } = outputs;
  return {
    ...stackOutputs,
    target: config.target,
    discovery: discovery.summary,
    auth: auth.output,
    observability: pulumi.all([region, observability.dashboardName, observability.topicArn]).apply(([r, dashboard, topic]) => ({
      dashboardUrl: `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#dashboards/dashboard/${dashboard}`,
      alarmTopicArn: topic,
    })),
    warnings: [...warnings, ...outputs.warnings],
  };
}
