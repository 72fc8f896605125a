import * as pulumi from '@pulumi/pulumi';
import { HEALTH_PATH, MCP_PATH, serverHealthPath, serverMcpPath, type Target } from '../app/contract';
import type { StackConfig } from '../config';
import type { CustomDomain } from './domain';
import type { Discovery } from './discovery';
import { ContainerImage } from './image';
import { Network } from './network';
import type { Workload, WorkloadMonitoring, WorkloadSpec } from './workload';

/** What a target is given to build a stack. */
export interface TargetContext {
  config: StackConfig;
  /** Options of every top-level component (the tagged AWS provider). */
  opts: pulumi.ComponentResourceOptions;
  domain?: CustomDomain;
  discovery: Discovery;
  /** Every workload of the stack: the servers, then the agent. */
  specs: WorkloadSpec[];
  stack: string;
  project: string;
}

/** Where CloudWatch has the front door's metrics. */
export type FrontDoorMonitoring =
  | { kind: 'httpApi'; apiId: pulumi.Output<string> }
  | { kind: 'alb'; loadBalancer: pulumi.Output<string> };

/** What a target builds once per stack: its front door, and what every workload stands on. */
export interface Platform {
  /** The front door's base URL: https://<domain>, or the API's or load balancer's own name. */
  readonly baseUrl: pulumi.Output<string>;
  /** Its metrics. */
  readonly frontDoorMonitoring: FrontDoorMonitoring;
}

/** What the stack's dashboard and alarms are made from. */
export interface StackMonitoring {
  frontDoor: FrontDoorMonitoring;
  /** Every workload: the servers, then the agent. */
  workloads: { name: string; kind: 'server' | 'agent'; monitoring?: WorkloadMonitoring }[];
}

/** One target: a platform per stack and a workload per server and for the agent. */
export interface TargetDefinition<P extends Platform> {
  readonly name: Target;
  platform(ctx: TargetContext): P;
  workload(platform: P, spec: WorkloadSpec, ctx: TargetContext): Workload;
  /** Stack outputs only this target has (EKS: the cluster). */
  outputs?(platform: P): { clusterName?: pulumi.Output<string>; kubeconfig?: pulumi.Output<string> };
  /** Said in `warnings` when the stack has no custom domain. */
  readonly noDomainWarning: string;
}

/** What both container targets stand on, under the same names, so that moving between them keeps both. */
export function containerPieces(ctx: TargetContext) {
  return {
    network: new Network('network', { natGateways: ctx.config.natGateways }, ctx.opts),
    image: new ContainerImage('image', { retentionCount: ctx.config.imageRetentionCount }, ctx.opts),
  };
}

/** What the stack outputs of one server. */
export interface ServerOutput {
  mcpUrl: string;
  healthUrl: string;
  /** Its Cloud Map service. */
  discoveryService: string;
  /** Also at /mcp and /healthz. */
  primary: boolean;
  functionUrl?: string;
}

export interface TargetOutputs {
  mcpUrl: pulumi.Output<string>;
  healthUrl: pulumi.Output<string>;
  agentUrl: pulumi.Output<string>;
  functionUrl?: pulumi.Output<string>;
  servers: pulumi.Output<Record<string, ServerOutput>>;
  /** EKS: the cluster, and a kubeconfig for it (secret). */
  clusterName?: pulumi.Output<string>;
  kubeconfig?: pulumi.Output<string>;
  warnings: string[];
  /** Not a stack output: what the stack's observability is made from. */
  monitoring: StackMonitoring;
}

/**
 * Builds the stack on `target`: its platform, then every workload on it; registers each server's
 * endpoint (/<server>/mcp at the front door) in its Cloud Map service.
 */
export function deployOn<P extends Platform>(target: TargetDefinition<P>, ctx: TargetContext): TargetOutputs {
  const platform = target.platform(ctx);
  // What a workload is told of the front door (authorization metadata names it): known once the platform is.
  const specs = ctx.specs.map((spec) =>
    spec.frontDoorEnvironment ? { ...spec, environment: { ...spec.environment, ...spec.frontDoorEnvironment(platform.baseUrl) } } : spec,
  );
  const workloads = specs.map((spec) => target.workload(platform, spec, ctx));
  const servers: Record<string, pulumi.Output<ServerOutput>> = {};
  let primary: Workload | undefined;
  let agent: Workload | undefined;
  for (const w of workloads) {
    if (w.spec.kind === 'agent') {
      agent = w;
      continue;
    }
    if (w.spec.primary) primary = w;
    const service = w.spec.discovery;
    if (!service) throw new Error(`server ${w.spec.name} has no discovery service`);
    const mcpUrl = pulumi.interpolate`${platform.baseUrl}${serverMcpPath(w.spec.name)}`;
    service.register({ url: mcpUrl, target: target.name, auth: w.spec.auth?.mode ?? 'none', authScope: w.spec.auth?.scope ?? '' }, { dependsOn: w.servesAfter });
    servers[w.spec.name] = pulumi.output({
      mcpUrl,
      healthUrl: pulumi.interpolate`${platform.baseUrl}${serverHealthPath(w.spec.name)}`,
      discoveryService: service.serviceName,
      primary: w.spec.primary,
      ...(w.functionUrl ? { functionUrl: w.functionUrl } : {}),
    });
  }
  if (!primary || !agent?.url) throw new Error('a stack needs a primary server and the agent');
  return {
    mcpUrl: pulumi.interpolate`${platform.baseUrl}${MCP_PATH}`,
    healthUrl: pulumi.interpolate`${platform.baseUrl}${HEALTH_PATH}`,
    agentUrl: agent.url,
    ...(primary.functionUrl ? { functionUrl: primary.functionUrl } : {}),
    servers: pulumi.all(servers),
    ...(target.outputs?.(platform) ?? {}),
    warnings: ctx.domain ? [] : [target.noDomainWarning],
    monitoring: {
      frontDoor: platform.frontDoorMonitoring,
      workloads: workloads.map((w) => ({ name: w.spec.name, kind: w.spec.kind, ...(w.monitoring ? { monitoring: w.monitoring } : {}) })),
    },
  };
}
