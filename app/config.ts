import { z } from 'zod';
import { DEFAULT_MAX_BODY_BYTES, isLoopback, LOOPBACK_HOSTS, type AppOptions } from './createApp';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS } from './serve';

const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  MCP_RESPONSE_MODE: z.enum(['json', 'sse']).optional(),
  ALLOWED_HOSTS: list.optional(),
  ALLOWED_ORIGINS: list.optional(),
  MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
  /** Must exceed the load balancer's idle timeout, or the ALB may reuse a connection the app just closed. */
  KEEP_ALIVE_TIMEOUT_MS: int(1000, 3_600_000).default(305_000),
  /** How long SIGTERM waits for in-flight requests; keep it under the orchestrator's stop timeout. */
  SHUTDOWN_TIMEOUT_MS: int(0, 3_600_000).default(110_000),
  /** How long a client has to send its request headers; a slower one is disconnected. */
  HEADERS_TIMEOUT_MS: int(100, 600_000).default(DEFAULT_HEADERS_TIMEOUT_MS),
  /** How long a client has to send its whole request (headers and body). */
  REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(DEFAULT_REQUEST_TIMEOUT_MS),
  /** Connections the process keeps open at once; more are closed on arrival. */
  MAX_CONNECTIONS: int(1, 1_000_000).default(DEFAULT_MAX_CONNECTIONS),
})
  .refine((env) => env.HEADERS_TIMEOUT_MS <= env.REQUEST_TIMEOUT_MS, {
    path: ['HEADERS_TIMEOUT_MS'],
    message: 'must not exceed REQUEST_TIMEOUT_MS',
  });

export type ServerEnv = z.output<typeof envSchema>;

/** Reads the server's environment; an invalid variable throws one error naming each variable and what it allows. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * App options from the environment. `listenHost` is the address the process binds to (none on
 * Lambda): bound to loopback, the Host check defaults to loopback names. ALLOWED_HOSTS=* turns it off.
 */
export function appOptionsFromEnv(env: ServerEnv, defaultMode: 'json' | 'sse', listenHost?: string): AppOptions {
  let allowedHosts: readonly string[] | undefined = env.ALLOWED_HOSTS;
  if (allowedHosts?.includes('*')) allowedHosts = undefined;
  else if (!allowedHosts && listenHost !== undefined && isLoopback(listenHost)) allowedHosts = LOOPBACK_HOSTS;
  return {
    responseMode: env.MCP_RESPONSE_MODE ?? defaultMode,
    allowedHosts,
    allowedOrigins: env.ALLOWED_ORIGINS ?? [],
    maxBodyBytes: env.MAX_BODY_BYTES,
    // On Lambda (no listen address), API Gateway and the Function URL answer CORS themselves.
    cors: listenHost !== undefined,
  };
}
