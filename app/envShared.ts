// The environment every HTTP process here reads alike (the MCP server and the agent): lists, bounded
// integers, the Host/Origin allow-lists and the listener's timeouts and connection cap.
import { z } from 'zod';
import { ENV } from './contract';
import { TRACING_MODES } from './observability/tracing';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS, isLoopback, LOOPBACK_HOSTS } from './limits';

/** A comma-separated list. */
export const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** What a process reports: metrics (`emf`, `prometheus`, `off`) and traces (`otlp`, `console`, `off`). */
export const observabilityEnv = {
  [ENV.metrics]: z.enum(['emf', 'prometheus', 'off']).default('off'),
  [ENV.tracing]: z.enum(TRACING_MODES).default('off'),
};

/** Variables of a process that listens for HTTP. */
export const listenerEnv = {
  [ENV.host]: z.string().min(1).default('127.0.0.1'),
  [ENV.allowedHosts]: list.optional(),
  [ENV.allowedOrigins]: list.optional(),
  /**
   * Must exceed the load balancer's idle timeout, or the ALB may reuse a connection the app just closed:
   * up to a little over ALB's largest idle timeout, 4000 s.
   */
  [ENV.keepAlive]: int(1000, 4_100_000).default(305_000),
  /** How long SIGTERM waits for in-flight requests; keep it under the orchestrator's stop timeout. */
  [ENV.shutdown]: int(0, 3_600_000).default(110_000),
  /** How long a client has to send its request headers; a slower one is disconnected. */
  HEADERS_TIMEOUT_MS: int(100, 600_000).default(DEFAULT_HEADERS_TIMEOUT_MS),
  /** How long a client has to send its whole request (headers and body). */
  REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(DEFAULT_REQUEST_TIMEOUT_MS),
  /** Connections the process keeps open at once; more are closed on arrival. */
  MAX_CONNECTIONS: int(1, 1_000_000).default(DEFAULT_MAX_CONNECTIONS),
};

type ListenerEnv = z.output<z.ZodObject<typeof listenerEnv>>;

/** The rule across the listener's variables: headers arrive within the time the whole request has. */
export function withListenerRules<T extends z.ZodType<Partial<ListenerEnv>>>(schema: T) {
  return schema.refine((env) => (env.HEADERS_TIMEOUT_MS ?? 0) <= (env.REQUEST_TIMEOUT_MS ?? Infinity), {
    path: ['HEADERS_TIMEOUT_MS'],
    message: 'must not exceed REQUEST_TIMEOUT_MS',
  });
}

/** Parses an environment; an invalid variable throws one error naming each variable and what it allows. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * The Host allow-list: ALLOWED_HOSTS as given, `*` for any Host (undefined), and by default loopback
 * names for a process bound to loopback (`listenHost`; none on Lambda), else any Host.
 */
export function allowedHostsFrom(allowedHosts: readonly string[] | undefined, listenHost?: string): readonly string[] | undefined {
  if (allowedHosts?.includes('*')) return undefined;
  if (!allowedHosts && listenHost !== undefined && isLoopback(listenHost)) return LOOPBACK_HOSTS;
  return allowedHosts;
}

/** The listener settings `listen` takes, from the environment. */
export const listenerOptions = (env: ListenerEnv) => ({
  keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
  headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
  requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
  maxConnections: env.MAX_CONNECTIONS,
});
