import type { Server } from 'node:http';
import { appOptionsFromEnv, readEnv, type ServerEnv } from './config';
import { createApp } from './createApp';
import { listenerOptions } from './envShared';
import { createLogger, type Logger } from './logger';
import { drainOnSignals, listen, runMain, type DrainState } from './serve';

/**
 * Starts the MCP server from the environment (HOST, PORT, …; see README). `bindTo` overrides where
 * it listens, and only that (tests bind to loopback what is configured for 0.0.0.0).
 */
export async function startServer(
  state: DrainState,
  logger: Logger = createLogger('mcp-server'),
  env: ServerEnv = readEnv(),
  bindTo: { host: string; port: number } = { host: env.HOST, port: env.PORT },
): Promise<Server> {
  const app = createApp({ ...appOptionsFromEnv(env, 'sse', env.HOST), logger, isDraining: () => state.draining });
  return listen(app, {
    host: bindTo.host,
    port: bindTo.port,
    ...listenerOptions(env),
    logger,
    message: 'MCP server listening',
    path: '/mcp',
  });
}

/** Container and local entry point: serves the app on HOST:PORT and drains on SIGTERM/SIGINT. */
if (require.main === module) {
  runMain(async () => {
    const state: DrainState = { draining: false };
    const logger = createLogger('mcp-server');
    const server = await startServer(state, logger);
    drainOnSignals(() => [server], { timeoutMs: readEnv().SHUTDOWN_TIMEOUT_MS, logger, state });
  });
}
