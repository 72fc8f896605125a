import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ATTRIBUTES, TRANSPORT, type Target } from '../app/contract';
import { APP_VERSION } from '../app/version';

export interface DiscoveryArgs {
  /** Namespace name, the same on every target of a stack, e.g. dev.mcp-on-aws.local. */
  namespaceName: string;
  /** Discovery service name of the MCP server, the same on every target, e.g. mcp-server. */
  serviceName: string;
}

/** What an agent reads from a registered endpoint's attributes. */
export interface EndpointAttributes {
  url: pulumi.Input<string>;
  target: Target;
}

/**
 * One Cloud Map namespace per stack and one discovery service for the MCP server, alike on every
 * target: an HTTP namespace, found through the DiscoverInstances API (which needs no VPC, so Lambda
 * uses it as the container targets do). Because they do not change with the target, a stack that
 * moves between targets keeps its namespace and service. Targets register in it: an endpoint URL
 * (Lambda, EKS) through `registerEndpoint`, or ECS task addresses through `serviceArn` in the ECS
 * service's `serviceRegistries`.
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

    const namespace = new aws.servicediscovery.HttpNamespace(`${name}-ns`, { name: args.namespaceName, description }, { parent: this });
    const service = new aws.servicediscovery.Service(
      `${name}-service`,
      {
        name: args.serviceName,
        namespaceId: namespace.id,
        description: 'MCP server (Streamable HTTP)',
        // ECS reports its tasks' health here; unhealthy instances are left out of discovery.
        healthCheckCustomConfig: { failureThreshold: 1 },
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
          [ATTRIBUTES.transport]: TRANSPORT,
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
