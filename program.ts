import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { keyValues, parseConfig, type StackConfig } from './config';
import { FargateAgent, LambdaAgent } from './components/agent';
import { Discovery } from './components/discovery';
import { CustomDomain } from './components/domain';
import { FargateTarget } from './components/fargateTarget';
import { eksTarget } from './components/eksPlatform';
import { ContainerImage } from './components/image';
import { LambdaTarget } from './components/lambdaTarget';
import { Network } from './components/network';
import { deployOn, type ServerOutput, type TargetContext } from './components/targets';
import { agentSpec, serverSpec } from './components/workload';
import { choosePrimary, serverCatalog } from './app/servers/catalog';

/** This project's settings from the stack's configuration, validated (see config.ts). */
export function readStackConfig(): StackConfig {
  const prefix = `${pulumi.getProject()}:`;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  return parseConfig(raw);
}

export interface StackOutputs {
  target: StackConfig['target'];
  mcpUrl: pulumi.Output<string>;
  healthUrl: pulumi.Output<string>;
  /** The agent: its HTTP API (Lambda, IAM-authorized), or its address inside the VPC or cluster. */
  agentUrl: pulumi.Output<string>;
  discovery: pulumi.Output<{ namespaceName: string; namespaceId: string; serviceName: string; serviceId: string }>;
  /** Every server: its URLs at the front door and its Cloud Map service. */
  servers?: pulumi.Output<Record<string, ServerOutput>>;
  functionUrl?: pulumi.Output<string>;
  /** EKS: the cluster, and a kubeconfig for it (secret). */
  clusterName?: pulumi.Output<string>;
  kubeconfig?: pulumi.Output<string>;
  warnings: string[];
}

const NO_DOMAIN_ON_LOAD_BALANCER =
  'No custom domain: the load balancer serves plain HTTP on its own DNS name. Set domainName and hostedZoneId for HTTPS and a stable URL.';

/** What both container targets stand on, under the same names, so that moving between them keeps both. */
function containerPieces(config: StackConfig, opts: pulumi.ComponentResourceOptions) {
  return {
    network: new Network('network', { natGateways: config.natGateways }, opts),
    image: new ContainerImage('image', { retentionCount: config.imageRetentionCount }, opts),
  };
}

/** Creates the stack for `config.target`: shared pieces first (tags, domain, discovery), then the target and its agent. */
export function deploy(config: StackConfig): StackOutputs {
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
  const catalog = serverCatalog();
  const primary = choosePrimary(catalog, catalog.names);
  for (const server of catalog.names) {
    discovery.addServer(server, { serviceName: server === primary ? config.discoveryService : server, primary: server === primary });
  }
  const service = discovery.services.find((s) => s.primary)!;
  const ctx: TargetContext = {
    config,
    opts,
    domain,
    discovery,
    specs: [...discovery.services.map((s) => serverSpec(config, s.server, s.primary, s)), agentSpec(config, discovery)],
    stack,
    project: pulumi.getProject(),
  };
  void ctx;
  const warnings: string[] = [];
  const agentArgs = { modelId: config.agentModelId, logRetentionDays: config.logRetentionDays };

  switch (config.target) {
    case 'lambda': {
      const lambda = new LambdaTarget(
        'lambda',
        {
          memoryMb: config.lambdaMemoryMb,
          timeoutSeconds: config.lambdaTimeoutSeconds,
          logRetentionDays: config.logRetentionDays,
          throttleBurstLimit: config.throttleBurstLimit,
          throttleRateLimit: config.throttleRateLimit,
          allowedOrigins: config.allowedOrigins,
          functionUrl: config.lambdaFunctionUrl,
          provisionedConcurrency: config.lambdaProvisionedConcurrency,
          reservedConcurrency: config.lambdaReservedConcurrency,
          domain,
          service,
        },
        opts,
      );
      const agent = new LambdaAgent('agent', { ...agentArgs, discovery }, opts);
      if (!domain) warnings.push('No custom domain: mcpUrl is the API Gateway URL, which changes if the stack moves to another target.');
      return {
        target: 'lambda',
        agentUrl: agent.agentUrl,
        mcpUrl: lambda.mcpUrl,
        healthUrl: lambda.healthUrl,
        discovery: discovery.summary,
        ...(lambda.functionUrl ? { functionUrl: lambda.functionUrl } : {}),
        warnings,
      };
    }
    case 'fargate': {
      const { network, image } = containerPieces(config, opts);
      const fargate = new FargateTarget(
        'fargate',
        {
          network,
          image,
          service,
          domain,
          cpu: config.fargateCpu,
          memoryMb: config.fargateMemoryMb,
          desiredCount: config.desiredCount,
          minCount: config.minCount,
          maxCount: config.maxCount,
          cpuTargetPercent: config.cpuTargetPercent,
          requestsPerTarget: config.requestsPerTarget,
          idleTimeoutSeconds: config.idleTimeoutSeconds,
          logRetentionDays: config.logRetentionDays,
          allowedOrigins: config.allowedOrigins,
          secrets: keyValues(config.containerSecrets),
          secretsKmsKeyArns: config.containerSecretsKmsKeyArns,
        },
        opts,
      );
      const agent = new FargateAgent('agent', { ...agentArgs, discovery, network, image, fargate }, opts);
      if (!domain) warnings.push(NO_DOMAIN_ON_LOAD_BALANCER);
      return {
        target: 'fargate',
        mcpUrl: fargate.mcpUrl,
        healthUrl: fargate.healthUrl,
        agentUrl: agent.agentUrl,
        discovery: discovery.summary,
        warnings,
      };
    }
    case 'eks':
      return { target: 'eks', ...deployOn(eksTarget, ctx), discovery: discovery.summary };
  }
}
