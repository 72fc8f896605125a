import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from './logger';

export interface ListenOptions {
  host: string;
  port: number;
  /** Must exceed the load balancer's idle timeout, or it may reuse a connection the app just closed. */
  keepAliveTimeoutMs: number;
  logger: Logger;
  /** What the log line calls it, e.g. "MCP server listening". */
  message: string;
  /** Path appended to the URL in the log line, e.g. /mcp. */
  path?: string;
}

/** Serves `app` and resolves once it listens. */
export function listen(app: Express, opts: ListenOptions): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(opts.port, opts.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      opts.logger.info({ url: `http://${host}:${port}${opts.path ?? ''}` }, opts.message);
      resolve(server);
    });
    server.keepAliveTimeout = opts.keepAliveTimeoutMs;
    // Node requires the header timeout to be longer than the keep-alive timeout.
    server.headersTimeout = opts.keepAliveTimeoutMs + 1000;
    server.once('error', reject);
  });
}

/** Set by `drainOnSignals` when shutdown begins; apps answer /healthz with 503 from then on. */
export interface DrainState {
  draining: boolean;
}

/**
 * On SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish, then exit 0;
 * exit 1 if they outlast `timeoutMs`.
 */
export function drainOnSignals(servers: () => Server[], opts: { timeoutMs: number; logger: Logger; state: DrainState }): void {
  const { logger, state } = opts;
  const shutdown = (signal: NodeJS.Signals) => {
    if (state.draining) return;
    state.draining = true;
    logger.info({ signal, timeoutMs: opts.timeoutMs }, 'draining: no new connections, finishing in-flight requests');
    const all = servers();
    const deadline = setTimeout(() => {
      logger.warn('drain timeout reached; closing remaining connections');
      for (const s of all) s.closeAllConnections();
      process.exit(1);
    }, opts.timeoutMs);
    deadline.unref();
    // Keep-alive connections would hold a server open: close each one as soon as its last response is sent.
    const reaper = setInterval(() => all.forEach((s) => s.closeIdleConnections()), 100);
    let open = all.length;
    for (const s of all) {
      s.close(() => {
        if (--open > 0) return;
        clearInterval(reaper);
        logger.info('drained; exiting');
        process.exit(0);
      });
      s.closeIdleConnections();
    }
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** Runs `start` as a process's entry point: a startup error is printed and exits 1. */
export function runMain(start: () => Promise<unknown>): void {
  start().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
