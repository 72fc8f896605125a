import { z } from 'zod';
import { createAuthGate } from './auth/gate';
import { authEnv, authSettings, checkAuthEnv } from './auth/env';
import { ENV, MCP_PORT } from './contract';
import type { AppOptions } from './createApp';
import { allowedHostsFrom, int, listenerEnv, observabilityEnv, parseEnv, withListenerRules } from './envShared';
import { DEFAULT_MAX_BODY_BYTES } from './limits';
import { createLogger, type Logger } from './logger';
import { metricsFrom } from './observability/metrics';
import { startTracing } from './observability/tracing';
import { serverCatalog, type ServerCatalog } from './servers/catalog';

/** The servers a process serves: MCP_SERVER alone, else every server of the catalog. */
export function servedNames(mcpServer: string | undefined, catalog: ServerCatalog): readonly string[] {
  return mcpServer === undefined ? catalog.names : [mcpServer];
}

function envSchema(catalog: ServerCatalog) {
  const names = catalog.names;
  return withListenerRules(
    z.object({
      ...listenerEnv,
      [ENV.port]: int(0, 65535).default(MCP_PORT),
      [ENV.responseMode]: z.enum(['json', 'sse']).optional(),
      /** The one server to serve; unset, every server (the front door). */
      [ENV.server]: z.preprocess(
        (v) => (v === '' ? undefined : v),
        z
          .string()
          .refine((name) => names.includes(name), { error: (issue) => `no server named "${String(issue.input)}"; choose one of ${names.join(', ')}` })
          .optional(),
      ),
      MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
      ...authEnv,
      ...observabilityEnv,
    }),
  ).superRefine((env, ctx) => {
    checkAuthEnv(env, ctx);
    // Not below what the served servers' longest calls need, so that a valid call is never refused with 413.
    for (const name of servedNames(env[ENV.server], catalog)) {
      // An unknown MCP_SERVER has its own issue (zod runs this refinement even then).
      if (!names.includes(name)) continue;
      const need = catalog.load(name).minBodyBytes ?? 0;
      if (env.MAX_BODY_BYTES < need) {
        ctx.addIssue({ code: 'custom', path: ['MAX_BODY_BYTES'], message: `must be at least ${need}, what server ${name} needs (got ${env.MAX_BODY_BYTES})` });
      }
    }
  });
}

export type ServerEnv = z.output<ReturnType<typeof envSchema>>;

/** Reads the server's environment; an invalid variable throws one error naming each variable and what it allows. */
export function readEnv(env: NodeJS.ProcessEnv = process.env, catalog: ServerCatalog = serverCatalog()): ServerEnv {
  return parseEnv(envSchema(catalog), env);
}

/**
 * App options from the environment. `listenHost` is the address the process binds to (none on
 * Lambda): bound to loopback, the Host check defaults to loopback names. ALLOWED_HOSTS=* turns it off.
 */
export function appOptionsFromEnv(env: ServerEnv, defaultMode: 'json' | 'sse', listenHost?: string, logger?: Logger): AppOptions {
  const auth = authSettings(env);
  const metrics = metricsFrom(env[ENV.metrics]);
  const tracing = startTracing(env[ENV.tracing], env[ENV.server] ?? 'mcp-servers');
  return {
    ...(metrics ? { metrics } : {}),
    ...(tracing ? { tracing } : {}),
    ...(auth ? { auth: createAuthGate(auth, { logger: logger ?? createLogger('mcp-server') }) } : {}),
    responseMode: env.MCP_RESPONSE_MODE ?? defaultMode,
    allowedHosts: allowedHostsFrom(env.ALLOWED_HOSTS, listenHost),
    allowedOrigins: env.ALLOWED_ORIGINS ?? [],
    maxBodyBytes: env.MAX_BODY_BYTES,
    // On Lambda (no listen address), API Gateway and the Function URL answer CORS themselves.
    cors: listenHost !== undefined,
  };
}
