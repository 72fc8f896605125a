import { z } from 'zod';
import { AGENT_PORT, ENV } from '../contract';
import { allowedHostsFrom, int, list, listenerEnv, parseEnv, withListenerRules } from '../envShared';
import { DEFAULT_MAX_BODY_BYTES } from '../limits';
import { DEFAULT_MAX_RESPONSE_BYTES } from './upstream';

const envSchema = withListenerRules(
  z.object({
    ...listenerEnv,
    [ENV.agentPort]: int(0, 65535).default(AGENT_PORT),
    /** A static list of MCP URLs; replaces Cloud Map (for running locally). */
    MCP_SERVERS: list.pipe(z.array(z.url({ error: 'must be comma-separated http(s) URLs' }))).optional(),
    [ENV.namespace]: z.string().min(1).optional(),
    [ENV.service]: z.string().min(1).default('mcp-server'),
    [ENV.model]: z.string().min(1).optional(),
    /** The whole operation on a server: connecting, calling, reading and parsing the answer. */
    [ENV.callTimeout]: int(100, 900_000).default(30_000),
    /** Largest answer read from an MCP server; past it the agent answers 502 naming the limit. */
    MAX_RESPONSE_BYTES: int(1024, 1024 * 1024 * 1024).default(DEFAULT_MAX_RESPONSE_BYTES),
    /** Largest request body (a tool's arguments, a prompt): the servers' default, so that any call they take passes. */
    MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
    DISCOVERY_TTL_MS: int(0, 3_600_000).default(30_000),
    ASK_MAX_STEPS: int(1, 20).default(8),
  }),
).refine((e) => e.MCP_SERVERS?.length || e.CLOUD_MAP_NAMESPACE, {
  message: 'set MCP_SERVERS (comma-separated MCP URLs) or CLOUD_MAP_NAMESPACE (and CLOUD_MAP_SERVICE) so the agent can find servers',
  path: ['MCP_SERVERS'],
});

export type AgentEnv = z.output<typeof envSchema>;

/** The agent's environment; an invalid variable throws one error naming each variable. */
export function readAgentEnv(env: NodeJS.ProcessEnv = process.env): AgentEnv {
  return parseEnv(envSchema, env);
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
  return { allowedHosts: allowedHostsFrom(env.ALLOWED_HOSTS, listenHost), allowedOrigins: env.ALLOWED_ORIGINS ?? [] };
}
