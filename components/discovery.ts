import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { endpointAttributes, type AuthMode, type Target } from '../app/contract';
import { APP_VERSION } from '../app/version';

export interface DiscoveryArgs {
  /** Namespace name, the same on every target of a stack, e.g. dev.mcp-on-aws.local. */
  namespaceName: string;
}

/** How a server is listed in Cloud Map. */
export interface DiscoveryServerArgs {
  /** The Cloud Map service's name: the server's name, or for the primary server the stack's `discoveryService`. */
  serviceName: string;
  primary: boolean;
}

/** What a workload registers of its server's endpoint. */
export interface EndpointRegistration {
  /** The public URL of the server's MCP endpoint (/<server>/mcp at the front door). */
  url: pulumi.Input<string>;
  target: Target;
  /** How the server authorizes requests, and the scope every call needs ('' when none). */
  auth: AuthMode;
  authScope: string;
}

/** One server's Cloud Map service: ECS registers task addresses in it, and the program the endpoint URL. */
export interface DiscoveryService {
  readonly server: string;
  readonly serviceName: string;
  readonly primary: boolean;
  readonly serviceId: pulumi.Output<string>;
  readonly serviceArn: pulumi.Output<string>;
  /** Registers the server's endpoint, with every attribute a client needs, as instance `<target>-endpoint`. */
  register(endpoint: EndpointRegistration, opts?: pulumi.CustomResourceOptions): aws.servicediscovery.Instance;
}

/**
 * One Cloud Map namespace per stack and one discovery service per MCP server, alike on every target: an
 * HTTP namespace, found through the ListServices and DiscoverInstances APIs (which need no VPC, so Lambda
 * uses them as the container targets do). They do not change with the target, so a stack that moves
 * between targets keeps its namespace and services.
 */
export class Discovery extends pulumi.ComponentResource {
  readonly namespaceId: pulumi.Output<string>;
  readonly namespaceArn: pulumi.Output<string>;
  readonly namespaceName: string;
  readonly services: DiscoveryService[] = [];
  private readonly name: string;

  constructor(name: string, args: DiscoveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:Discovery', name, {}, opts);
    this.name = name;
    this.namespaceName = args.namespaceName;
    const namespace = new aws.servicediscovery.HttpNamespace(
      `${name}-ns`,
      { name: args.namespaceName, description: 'mcp-on-aws: MCP servers of this stack' },
      { parent: this },
    );
    this.namespaceId = namespace.id;
    this.namespaceArn = namespace.arn;
    this.registerOutputs({ namespaceId: this.namespaceId });
  }

  /** Adds `server`'s discovery service to the namespace. */
  addServer(server: string, args: DiscoveryServerArgs): DiscoveryService {
    const parent = this;
    const service = new aws.servicediscovery.Service(
      `${this.name}-${server}`,
      {
        name: args.serviceName,
        namespaceId: this.namespaceId,
        description: `MCP server ${server} (Streamable HTTP)`,
        // ECS reports its tasks' health here; unhealthy instances are left out of discovery.
        healthCheckCustomConfig: { failureThreshold: 1 },
        forceDestroy: true,
        tags: { 'mcp-on-aws:server': server },
      },
      // The one service of a one-server stack was named `<name>-service`: the primary server keeps it.
      { parent, ...(args.primary ? { aliases: [{ name: `${this.name}-service` }] } : {}) },
    );
    const entry: DiscoveryService = {
      server,
      serviceName: args.serviceName,
      primary: args.primary,
      serviceId: service.id,
      serviceArn: service.arn,
      register: (endpoint, opts) =>
        new aws.servicediscovery.Instance(
          `${this.name}-${server}-${endpoint.target}-endpoint`,
          {
            instanceId: `${endpoint.target}-endpoint`,
            serviceId: service.id,
            attributes: pulumi
              .output(endpoint.url)
              .apply((url) => endpointAttributes({ server, url, target: endpoint.target, primary: args.primary, version: APP_VERSION, auth: endpoint.auth, authScope: endpoint.authScope })),
          },
          {
            parent,
            // A one-server stack registered its endpoint as `<target>-endpoint`.
            ...(args.primary ? { aliases: [{ name: `${endpoint.target}-endpoint` }] } : {}),
            ...opts,
          },
        ),
    };
    this.services.push(entry);
    return entry;
  }

  /** Names and ids of the namespace and the primary server's service, as the `discovery` stack output shows them. */
  get summary() {
    const primary = this.services.find((s) => s.primary) ?? this.services[0];
    if (!primary) throw new Error('Discovery: no server was added');
    return pulumi.output({
      namespaceName: this.namespaceName,
      namespaceId: this.namespaceId,
      serviceName: primary.serviceName,
      serviceId: primary.serviceId,
    });
  }
}
