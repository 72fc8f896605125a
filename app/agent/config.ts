import { z } from 'zod';
import { isLoopback, LOOPBACK_HOSTS } from '../createApp';
import { DEFAULT_MAX_RESPONSE_BYTES } from './upstream';

const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z
  .object({
    AGENT_PORT: int(0, 65535).default(3001),
    HOST: z.string().min(1).default('127.0.0.1'),
    /** A static list of MCP URLs; replaces Cloud Map (for running locally). */
    MCP_SERVERS: list.pipe(z.array(z.url({ error: 'must be comma-separated http(s) URLs' }))).optional(),
    CLOUD_MAP_NAMESPACE: z.string().min(1).optional(),
    CLOUD_MAP_SERVICE: z.string().min(1).default('mcp-server'),
    BEDROCK_MODEL_ID: z.string().min(1).optional(),
    /** The whole operation on a server: connecting, calling, reading and parsing the answer. */
    CALL_TIMEOUT_MS: int(100, 900_000).default(30_000),
    /** Largest answer read from an MCP server; past it the agent answers 502 naming the limit. */
    MAX_RESPONSE_BYTES: int(1024, 1024 * 1024 * 1024).default(DEFAULT_MAX_RESPONSE_BYTES),
    ALLOWED_HOSTS: list.optional(),
    ALLOWED_ORIGINS: list.optional(),
    DISCOVERY_TTL_MS: int(0, 3_600_000).default(30_000),
    ASK_MAX_STEPS: int(1, 20).default(8),
    KEEP_ALIVE_TIMEOUT_MS: int(1000, 3_600_000).default(305_000),
    SHUTDOWN_TIMEOUT_MS: int(0, 3_600_000).default(110_000),
  })
  .refine((e) => e.MCP_SERVERS?.length || e.CLOUD_MAP_NAMESPACE, {
    message: 'set MCP_SERVERS (comma-separated MCP URLs) or CLOUD_MAP_NAMESPACE (and CLOUD_MAP_SERVICE) so the agent can find servers',
    path: ['MCP_SERVERS'],
  });

export type AgentEnv = z.output<typeof envSchema>;

/** The agent's environment; an invalid variable throws one error naming each variable. */
export function readAgentEnv(env: NodeJS.ProcessEnv = process.env): AgentEnv {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`Invalid environment:\n  ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  return result.data;
}

/**
 * The agent's Host and Origin allow-lists, as the server's (appOptionsFromEnv): `listenHost` is the
 * address it binds to (none on Lambda); bound to loopback, only loopback names are accepted by default.
 * ALLOWED_HOSTS=* accepts any Host.
 */
export function agentGuardFromEnv(
  env: Pick<AgentEnv, 'ALLOWED_HOSTS' | 'ALLOWED_ORIGINS'>,
  listenHost?: string,
): { allowedHosts: readonly string[] | undefined; allowedOrigins: readonly string[] } {
  let allowedHosts: readonly string[] | undefined = env.ALLOWED_HOSTS;
  if (allowedHosts?.includes('*')) allowedHosts = undefined;
  else if (!allowedHosts && listenHost !== undefined && isLoopback(listenHost)) allowedHosts = LOOPBACK_HOSTS;
  return { allowedHosts, allowedOrigins: env.ALLOWED_ORIGINS ?? [] };
}
