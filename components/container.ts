/** How the app's image runs on the container targets (Fargate and EKS), in one place. */
import { ENV } from '../app/contract';
import { LOOPBACK_HOSTS } from '../app/limits';

export const CONTAINER_NAME = 'mcp-server';
/** The most ECS lets a container take to stop after SIGTERM (Fargate's `stopTimeout`, at most 120 s). */
export const STOP_TIMEOUT_SECONDS = 120;
/** The image's `node` user. */
export const NODE_UID = 1000;

/** What the orchestrator waits beyond the drain, for the process to exit once its connections are closed. */
export const EXIT_MARGIN_SECONDS = 5;

/** How long the app drains after SIGTERM (SHUTDOWN_TIMEOUT_MS): on Fargate, within the stop timeout. */
export const DRAIN_TIMEOUT_MS = (STOP_TIMEOUT_SECONDS - EXIT_MARGIN_SECONDS) * 1000;

/**
 * Kubernetes: the pre-stop pause before SIGTERM, while the pod leaves the Service's endpoints and the
 * load balancer's targets, so that no new requests reach a pod that is draining.
 */
export const PRE_STOP_SECONDS = 10;

/**
 * Kubernetes: the termination grace. The pre-stop pause counts against it (the kubelet starts the
 * clock before the hook), so it holds the pause, the whole drain and the margin: 10 + 115 + 5 = 130 s.
 */
export const TERMINATION_GRACE_SECONDS = PRE_STOP_SECONDS + DRAIN_TIMEOUT_MS / 1000 + EXIT_MARGIN_SECONDS;

/** Environment variables as ECS task definitions and Kubernetes pod specs list them. */
export const toEnvList = <V>(env: Record<string, V>): { name: string; value: V }[] => Object.entries(env).map(([name, value]) => ({ name, value }));

/** The keep-alive the app keeps on connections from the load balancer: longer than its idle timeout. */
export const keepAliveMs = (idleTimeoutSeconds: number) => (idleTimeoutSeconds + 5) * 1000;

/** What of a workload (components/workload.ts WorkloadSpec) its container environment follows. */
export interface ContainerEnvironmentSpec<V> {
  kind: 'server' | 'agent';
  port: number;
  exposure: 'public' | 'private';
  /** The workload's own, target-neutral environment (MCP_SERVER, ALLOWED_ORIGINS, CLOUD_MAP_NAMESPACE, …). */
  environment: Record<string, V>;
}

/** How callers reach a container. */
export interface ContainerReach {
  /** public: the idle timeout of the load balancer in front, which the app's keep-alive must outlast. */
  idleTimeoutSeconds?: number;
  /** private: the names callers reach it by, the only ones its Host check accepts besides loopback names. */
  hostnames?: readonly string[];
}

/**
 * The environment of a workload in a container (Fargate, EKS), server or agent alike: it listens on all
 * interfaces on its port and drains within the stop timeout. Behind the public load balancer it keeps
 * connections alive longer than the balancer's idle timeout and accepts any Host: it is reached by the
 * balancer's name, the domain, and by IP from inside the VPC (the agent, through Cloud Map); browsers'
 * Origins are still checked. A private workload accepts only the names it is reached by and loopback
 * names (ECS Exec, kubectl port-forward); health probes go by IP to /healthz, which is not checked.
 * Servers stream their answers (SSE).
 */
export function containerEnvironment<V>(spec: ContainerEnvironmentSpec<V>, reach: ContainerReach): Record<string, string | V> {
  if (spec.exposure === 'public' && reach.idleTimeoutSeconds === undefined) throw new Error('a public container needs the idle timeout of its load balancer');
  const reached: Record<string, string> =
    spec.exposure === 'public'
      ? { [ENV.keepAlive]: String(keepAliveMs(reach.idleTimeoutSeconds!)), [ENV.allowedHosts]: '*' }
      : { [ENV.allowedHosts]: [...(reach.hostnames ?? []), ...LOOPBACK_HOSTS].join(',') };
  return {
    [ENV.host]: '0.0.0.0',
    [spec.kind === 'agent' ? ENV.agentPort : ENV.port]: String(spec.port),
    ...(spec.kind === 'server' ? ({ [ENV.responseMode]: 'sse' } as Record<string, string>) : {}),
    [ENV.shutdown]: String(DRAIN_TIMEOUT_MS),
    ...reached,
    ...spec.environment,
  };
}

/** The most an ALB target group may wait for in-flight requests when a target leaves (0 to 3600 s). */
export const MAX_DEREGISTRATION_DELAY_SECONDS = 3600;

/** How long a leaving target keeps its in-flight requests: the idle timeout, within what ALB allows. */
export const deregistrationDelaySeconds = (idleTimeoutSeconds: number) => Math.min(idleTimeoutSeconds, MAX_DEREGISTRATION_DELAY_SECONDS);

/** Kubernetes: the pre-stop pause, as a container's `lifecycle`. */
export const preStopPause = () => ({ preStop: { sleep: { seconds: PRE_STOP_SECONDS } } });
