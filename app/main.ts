import type { Server } from 'node:http';
import type { Express } from 'express';
import { appOptionsFromEnv, readEnv, servedNames, type ServerEnv } from './config';
import { ENV, MCP_PATH, serverMcpPath } from './contract';
import { createApp, type AppOptions } from './createApp';
import { listenerOptions } from './envShared';
import { createFrontDoor, loadServers } from './frontDoor';
import { createLogger, type Logger } from './logger';
import { drainOnSignals, listen, runMain, type DrainState } from './serve';
import { serverCatalog, type ServerCatalog } from './servers/catalog';

/** What a process serves: MCP_SERVER alone (at /mcp and /<name>/mcp), else every server behind the front door. */
export function serversApp(env: ServerEnv, catalog: ServerCatalog, options: AppOptions): { app: Express; servers: readonly string[] } {
  const servers = loadServers(catalog, servedNames(env.MCP_SERVER, catalog));
  const app = env.MCP_SERVER === undefined ? createFrontDoor(servers, options) : createApp(servers[0]!, options);
  return { app, servers: servers.map((s) => s.name) };
}

/**
 * Starts the MCP server(s) from the environment (HOST, PORT, MCP_SERVER, …; see README). `bindTo`
 * overrides where it listens, and only that (tests bind to loopback what is configured for 0.0.0.0).
 */
export async function startServer(
  state: DrainState,
  logger: Logger = createLogger('mcp-server'),
  env: ServerEnv = readEnv(),
  bindTo: { host: string; port: number } = { host: env.HOST, port: env.PORT },
  catalog: ServerCatalog = serverCatalog(),
): Promise<Server> {
  const options = appOptionsFromEnv(env, 'sse', env.HOST, logger);
  const { app, servers } = serversApp(env, catalog, { ...options, logger, isDraining: () => state.draining });
  const server = await listen(app, {
    host: bindTo.host,
    port: bindTo.port,
    ...listenerOptions(env),
    logger,
    message: 'MCP server listening',
    path: MCP_PATH,
    servers: Object.fromEntries(servers.map((s) => [s, serverMcpPath(s)])),
  });
  if (!options.auth) logger.warn(`no authorization (${ENV.authMode} unset or none): the MCP endpoints accept requests without a token`);
  return server;
}

/** Container and local entry point: serves the app on HOST:PORT and drains on SIGTERM/SIGINT. */
if (require.main === module) {
  runMain(async () => {
    const state: DrainState = { draining: false };
    const logger = createLogger('mcp-server');
    const env = readEnv();
    const server = await startServer(state, logger, env);
    drainOnSignals(() => [server], { timeoutMs: env.SHUTDOWN_TIMEOUT_MS, logger, state });
  });
}
