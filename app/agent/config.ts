import { z } from 'zod';
import { AGENT_PORT, ENV } from '../contract';
import { allowedHostsFrom, int, list, listenerEnv, observabilityEnv, parseEnv, withListenerRules } from '../envShared';
import { DEFAULT_MAX_BODY_BYTES } from '../limits';
import { parseStaticServer, type StaticServer } from './resolver';
import { DEFAULT_MAX_RESPONSE_BYTES } from './upstream';

const envSchema = withListenerRules(
  z.object({
    ...listenerEnv,
    ...observabilityEnv,
    [ENV.agentPort]: int(0, 65535).default(AGENT_PORT),
    /**
     * A static list of MCP servers, replacing Cloud Map (for running locally): comma-separated
     * `name=url` items, or bare URLs named by their /<name>/mcp path, else by their host.
     */
    [ENV.servers]: list
      .transform((items, ctx) => {
        const servers: StaticServer[] = [];
        for (const item of items) {
          try {
            servers.push(parseStaticServer(item));
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
          }
        }
        return servers;
      })
      .optional(),
    [ENV.namespace]: z.string().min(1).optional(),
    /** The namespace's id: the agent lists its services, finding every server, those added later too. */
    [ENV.namespaceId]: z.string().min(1).max(64).optional(),
    /** Only this service of the namespace, instead of all of them. */
    [ENV.service]: z.string().min(1).optional(),
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
)
  .refine((e) => e.MCP_SERVERS?.length || e.CLOUD_MAP_NAMESPACE, {
    message: `set ${ENV.servers} (comma-separated name=url items) or ${ENV.namespace} and ${ENV.namespaceId} so the agent can find servers`,
    path: [ENV.servers],
  })
  .refine((e) => e.MCP_SERVERS?.length || !e.CLOUD_MAP_NAMESPACE || e.CLOUD_MAP_NAMESPACE_ID || e.CLOUD_MAP_SERVICE, {
    message: `set ${ENV.namespaceId} (the namespace's id, to find every server) or ${ENV.service} (one service) with ${ENV.namespace}`,
    path: [ENV.namespaceId],
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
