import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { MCP_PORT } from '../app/contract';
import type { CustomDomain } from './domain';
import { FargateWorkload } from './fargateWorkload';
import type { ContainerImage } from './image';
import { adoptLegacy, LEGACY_PARENTS, topLevelUrn } from './legacy';
import { LoadBalancer } from './loadBalancer';
import type { Network } from './network';
import { containerPieces, type FrontDoorMonitoring, type Platform, type TargetDefinition } from './targets';

export const FARGATE_PLATFORM_TYPE = 'mcp-on-aws:index:FargatePlatform';

/** Listener rule priorities AWS accepts (1 to 50000). */
export const MAX_RULE_PRIORITY = 50_000;
/** Priorities each server may use, from its first: one rule per five paths. */
export const RULE_PRIORITY_SLOTS = 10;
export const RULE_BLOCKS = Math.floor((MAX_RULE_PRIORITY - 1) / RULE_PRIORITY_SLOTS);

/** A server's block of priorities, from its name alone: 0 to RULE_BLOCKS - 1. */
export const ruleBlock = (server: string) => createHash('sha256').update(server).digest().readUInt32BE(0) % RULE_BLOCKS;

/**
 * The first listener rule priority of each server: a block of RULE_PRIORITY_SLOTS derived from the
 * server's name, so that adding or removing a server leaves every other server's rules where they are
 * (a changed priority is updated in place, through SetRulePriorities, but two rules may never hold the
 * same one). Two names that hash to the same block are settled in sorted order: the later one takes
 * the next free block.
 */
export function rulePriorities(servers: readonly string[]): Record<string, number> {
  const taken = new Set<number>();
  const priorities: Record<string, number> = {};
  for (const server of [...new Set(servers)].sort()) {
    let block = ruleBlock(server);
    while (taken.has(block)) block = (block + 1) % RULE_BLOCKS;
    taken.add(block);
    priorities[server] = 1 + block * RULE_PRIORITY_SLOTS;
  }
  return priorities;
}

export interface FargatePlatformArgs {
  network: Network;
  image: ContainerImage;
  domain?: CustomDomain;
  idleTimeoutSeconds: number;
  /** The stack's Cloud Map namespace: the agent's private DNS name hangs under it (internal.<namespace>). */
  namespaceName: string;
  /** Every server of the stack, for their listener rule priorities. */
  servers: readonly string[];
}

/**
 * What every workload on ECS Fargate stands on, once per stack: the network and image, one internet-facing
 * ALB whose listeners forward by default to the primary server's target group (other servers add a rule
 * each), the security group of every server's tasks, which admits the ALB, the cluster, and a private DNS
 * namespace where the agent is reached inside the VPC.
 */
export class FargatePlatform extends pulumi.ComponentResource implements Platform {
  readonly baseUrl: pulumi.Output<string>;
  readonly network: Network;
  readonly image: ContainerImage;
  readonly lb: LoadBalancer;
  readonly cluster: aws.ecs.Cluster;
  /** The security group of every server's tasks: add ingress rules to it for clients in the VPC. */
  readonly serverSecurityGroupId: pulumi.Output<string>;
  readonly internalNamespace: aws.servicediscovery.PrivateDnsNamespace;
  readonly internalDomain: string;
  readonly idleTimeoutSeconds: number;
  readonly frontDoorMonitoring: FrontDoorMonitoring;
  private readonly priorities: Record<string, number>;

  constructor(name: string, args: FargatePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    const dnsName = `${name}-internal-dns`;
    super(FARGATE_PLATFORM_TYPE, name, {}, {
      ...opts,
      // A one-server stack's FargateTarget children keep their names; the agent's namespace moves here.
      aliases: [topLevelUrn(LEGACY_PARENTS.fargate.target.type, LEGACY_PARENTS.fargate.target.name)],
      transformations: [
        adoptLegacy(LEGACY_PARENTS.fargate.target, (child, type) => (type === FARGATE_PLATFORM_TYPE || child === dnsName ? undefined : child)),
        adoptLegacy(LEGACY_PARENTS.fargate.agent, (child) => (child === dnsName ? 'agent-dns' : undefined)),
        ...(opts?.transformations ?? []),
      ],
    });
    const parent = this;
    this.network = args.network;
    this.image = args.image;
    this.idleTimeoutSeconds = args.idleTimeoutSeconds;
    this.priorities = rulePriorities(args.servers);

    this.lb = new LoadBalancer(
      `${name}-lb`,
      { network: args.network, targetPort: MCP_PORT, idleTimeoutSeconds: args.idleTimeoutSeconds, domain: args.domain },
      { parent },
    );
    this.frontDoorMonitoring = { kind: 'alb', loadBalancer: this.lb.arnSuffix };
    const serverSg = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId: args.network.vpcId,
        description: 'MCP server tasks: the app port from the load balancer (and the agent) only',
        egress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS out: ECR, Secrets Manager, logs, tools' }],
      },
      { parent },
    );
    // Ingress as rules of their own, so that a workload that calls the servers can add its rule beside this one.
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-lb`,
      {
        securityGroupId: serverSg.id,
        ipProtocol: 'tcp',
        fromPort: MCP_PORT,
        toPort: MCP_PORT,
        referencedSecurityGroupId: this.lb.securityGroupId,
        description: 'from the load balancer',
      },
      { parent },
    );
    this.cluster = new aws.ecs.Cluster(`${name}-cluster`, { settings: [{ name: 'containerInsights', value: 'enabled' }] }, { parent });
    // A DNS name inside the VPC for private workloads (the agent), beside the stack's API-only discovery namespace.
    this.internalDomain = `internal.${args.namespaceName}`;
    this.internalNamespace = new aws.servicediscovery.PrivateDnsNamespace(
      dnsName,
      { name: this.internalDomain, vpc: args.network.vpcId, description: 'mcp-on-aws: the agent inside the VPC' },
      { parent },
    );
    this.serverSecurityGroupId = serverSg.id;
    this.baseUrl = this.lb.baseUrl;
    this.registerOutputs({ baseUrl: this.baseUrl });
  }

  /** The first listener rule priority of `server` (see rulePriorities). */
  rulePriority(server: string): number {
    const priority = this.priorities[server];
    if (priority === undefined) throw new Error(`FargatePlatform: ${server} is not one of the stack's servers (${Object.keys(this.priorities).join(', ')})`);
    return priority;
  }
}

export const fargateTarget: TargetDefinition<FargatePlatform> = {
  name: 'fargate',
  platform(ctx) {
    const { network, image } = containerPieces(ctx);
    return new FargatePlatform(
      'fargate',
      {
        network,
        image,
        domain: ctx.domain,
        idleTimeoutSeconds: ctx.config.idleTimeoutSeconds,
        namespaceName: ctx.discovery.namespaceName,
        servers: ctx.specs.filter((s) => s.kind === 'server').map((s) => s.name),
      },
      ctx.opts,
    );
  },
  workload: (platform, spec, ctx) => new FargateWorkload(spec.kind === 'agent' ? 'agent' : `fargate-${spec.name}`, { platform, spec, stack: ctx.stack, project: ctx.project }, ctx.opts),
  noDomainWarning: 'No custom domain: the load balancer serves plain HTTP on its own DNS name. Set domainName and hostedZoneId for HTTPS and a stable URL.',
};
