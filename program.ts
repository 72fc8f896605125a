import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { keyValues, parseConfig, type StackConfig } from './config';
import { Discovery } from './components/discovery';
import { CustomDomain } from './components/domain';
import { LambdaTarget } from './components/lambdaTarget';

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
  discovery: pulumi.Output<{ namespaceName: string; namespaceId: string; serviceName: string; serviceId: string }>;
  functionUrl?: pulumi.Output<string>;
  warnings: string[];
}

/** Creates the stack for `config.target`: shared pieces first (tags, domain, discovery), then the target. */
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
  const warnings: string[] = [];

  switch (config.target) {
    case 'lambda': {
      const discovery = new Discovery('discovery', { namespaceName, serviceName: config.discoveryService }, opts);
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
          discovery,
        },
        opts,
      );
      if (!domain) warnings.push('No custom domain: mcpUrl is the API Gateway URL, which changes if the stack moves to another target.');
      return {
        target: 'lambda',
        mcpUrl: lambda.mcpUrl,
        healthUrl: lambda.healthUrl,
        discovery: discovery.summary,
        ...(lambda.functionUrl ? { functionUrl: lambda.functionUrl } : {}),
        warnings,
      };
    }
    case 'fargate':
    case 'eks':
      throw new Error(`target "${config.target}" is not available yet; set target to lambda (pulumi config set target lambda)`);
  }
}
