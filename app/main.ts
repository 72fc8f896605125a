import type { AddressInfo } from 'node:net';
import { appOptionsFromEnv, readEnv } from './config';
import { createApp } from './createApp';
import { createLogger } from './logger';

/** Container and local entry point: serves the app on HOST:PORT and drains on SIGTERM/SIGINT. */
export function main(): void {
  const logger = createLogger('mcp-server');
  const env = readEnv();
  let draining = false;
  const app = createApp({ ...appOptionsFromEnv(env, 'sse', env.HOST), logger, isDraining: () => draining });
  const server = app.listen(env.PORT, env.HOST, () => {
    const { port } = server.address() as AddressInfo;
    const host = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
    logger.info({ url: `http://${host}:${port}/mcp` }, 'MCP server listening');
  });
  server.keepAliveTimeout = env.KEEP_ALIVE_TIMEOUT_MS;
  // Node requires the header timeout to be longer than the keep-alive timeout.
  server.headersTimeout = env.KEEP_ALIVE_TIMEOUT_MS + 1000;
  server.on('error', (err) => {
    logger.fatal({ err }, 'server failed');
    process.exit(1);
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    logger.info({ signal, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'draining: no new connections, finishing in-flight requests');
    const deadline = setTimeout(() => {
      logger.warn('drain timeout reached; closing remaining connections');
      server.closeAllConnections();
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    // Keep-alive connections would hold the server open: close each one as soon as its last response is sent.
    const reaper = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearInterval(reaper);
      logger.info('drained; exiting');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
