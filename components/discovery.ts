import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { APP_VERSION } from '../app/version';

export interface DiscoveryArgs {
  /** Namespace name, the same on every target of a stack, e.g. dev.mcp-on-aws.local. */
  namespaceName: string;
  /** Discovery service name of the MCP server, the same on every target, e.g. mcp-server. */
  serviceName: string;
  /**
   * With a VPC, a private DNS namespace in it (container targets); without, an HTTP namespace, found
   * through the DiscoverInstances API only (Lambda).
   */
  vpcId?: pulumi.Input<string>;
  /** Let ECS register task IPs and ports (A and SRV records) in the service. */
  taskRecords?: boolean;
}

/** What an agent reads from a registered endpoint's attributes. */
export interface EndpointAttributes {
  url: pulumi.Input<string>;
  target: 'lambda' | 'fargate' | 'eks';
}

/** Cloud Map attribute names the agent relies on. */
export const ATTRIBUTES = {
  url: 'mcp_url',
  transport: 'mcp_transport',
  target: 'mcp_target',
  version: 'app_version',
} as const;

/**
 * One Cloud Map namespace per stack and one discovery service for the MCP server. Targets register in
 * it the same way: an endpoint URL (Lambda, EKS) through `registerEndpoint`, or ECS task addresses
 * through `serviceArn` in the ECS service's `serviceRegistries`.
 */
export class Discovery extends pulumi.ComponentResource {
  readonly namespaceId: pulumi.Output<string>;
  readonly namespaceName: string;
  readonly serviceId: pulumi.Output<string>;
  readonly serviceArn: pulumi.Output<string>;
  readonly serviceName: string;

  constructor(name: string, args: DiscoveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:Discovery', name, {}, opts);
    this.namespaceName = args.namespaceName;
    this.serviceName = args.serviceName;
    const description = 'mcp-on-aws: MCP servers of this stack';

    const namespace = args.vpcId
      ? new aws.servicediscovery.PrivateDnsNamespace(`${name}-ns`, { name: args.namespaceName, vpc: args.vpcId, description }, { parent: this })
      : new aws.servicediscovery.HttpNamespace(`${name}-ns`, { name: args.namespaceName, description }, { parent: this });

    const service = new aws.servicediscovery.Service(
      `${name}-service`,
      {
        name: args.serviceName,
        namespaceId: namespace.id,
        description: 'MCP server (Streamable HTTP)',
        ...(args.taskRecords
          ? {
              dnsConfig: {
                namespaceId: namespace.id,
                routingPolicy: 'MULTIVALUE',
                dnsRecords: [
                  { type: 'A', ttl: 10 },
                  { type: 'SRV', ttl: 10 },
                ],
              },
              // ECS reports task health to Cloud Map; unhealthy tasks are left out of discovery.
              healthCheckCustomConfig: { failureThreshold: 1 },
            }
          : // In a DNS namespace, a service without records is still discoverable through the API.
            args.vpcId
            ? { type: 'HTTP' }
            : {}),
        forceDestroy: true,
      },
      { parent: this },
    );
    this.namespaceId = namespace.id;
    this.serviceId = service.id;
    this.serviceArn = service.arn;
    this.registerOutputs({ namespaceId: this.namespaceId, serviceId: this.serviceId });
  }

  /** Registers an endpoint URL as an instance of the service, with what a client needs to know. */
  registerEndpoint(name: string, endpoint: EndpointAttributes, opts?: pulumi.CustomResourceOptions): aws.servicediscovery.Instance {
    return new aws.servicediscovery.Instance(
      name,
      {
        instanceId: `${endpoint.target}-endpoint`,
        serviceId: this.serviceId,
        attributes: {
          [ATTRIBUTES.url]: endpoint.url,
          [ATTRIBUTES.transport]: 'streamable-http',
          [ATTRIBUTES.target]: endpoint.target,
          [ATTRIBUTES.version]: APP_VERSION,
        },
      },
      { parent: this, ...opts },
    );
  }

  /** Names and ids, as the `discovery` stack output shows them. */
  get summary() {
    return pulumi.output({
      namespaceName: this.namespaceName,
      namespaceId: this.namespaceId,
      serviceName: this.serviceName,
      serviceId: this.serviceId,
    });
  }
}
