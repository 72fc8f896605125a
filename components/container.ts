/** How the app's image runs on the container targets (Fargate and EKS), in one place. */
import { ENV, MCP_PORT } from '../app/contract';

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
export const toEnvList = (env: Record<string, string>): { name: string; value: string }[] =>
  Object.entries(env).map(([name, value]) => ({ name, value }));

/** The keep-alive the app keeps on connections from the load balancer: longer than its idle timeout. */
export const keepAliveMs = (idleTimeoutSeconds: number) => (idleTimeoutSeconds + 5) * 1000;

/** The app's environment in a container behind a load balancer with `idleTimeoutSeconds`. */
export function appEnvironment(opts: { idleTimeoutSeconds: number; allowedOrigins: readonly string[] }): { name: string; value: string }[] {
  const env: Record<string, string> = {
    [ENV.host]: '0.0.0.0',
    [ENV.port]: String(MCP_PORT),
    [ENV.responseMode]: 'sse',
    [ENV.keepAlive]: String(keepAliveMs(opts.idleTimeoutSeconds)),
    [ENV.shutdown]: String(DRAIN_TIMEOUT_MS),
    // Containers are reached by the load balancer's name, the domain, and directly by IP from inside the
    // VPC (the agent, through Cloud Map), so the Host check is off; browsers' Origins are still checked.
    [ENV.allowedHosts]: '*',
    [ENV.allowedOrigins]: opts.allowedOrigins.join(','),
    [ENV.logLevel]: 'info',
  };
  return toEnvList(env);
}

/** The most an ALB target group may wait for in-flight requests when a target leaves (0 to 3600 s). */
export const MAX_DEREGISTRATION_DELAY_SECONDS = 3600;

/** How long a leaving target keeps its in-flight requests: the idle timeout, within what ALB allows. */
export const deregistrationDelaySeconds = (idleTimeoutSeconds: number) => Math.min(idleTimeoutSeconds, MAX_DEREGISTRATION_DELAY_SECONDS);

/** Kubernetes: the pre-stop pause, as a container's `lifecycle`. */
export const preStopPause = () => ({ preStop: { sleep: { seconds: PRE_STOP_SECONDS } } });
