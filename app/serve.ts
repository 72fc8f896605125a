import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from './logger';
import { flushTraces } from './observability/tracing';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS } from './limits';

// The listener's defaults live in ./limits (no dependencies), so that the environment's parser does
// not load this module, and node:http with it, into the Lambda bundle.
export { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS };

export interface ListenOptions {
  host: string;
  port: number;
  /** Must exceed the load balancer's idle timeout, or it may reuse a connection the app just closed. */
  keepAliveTimeoutMs: number;
  /** Default DEFAULT_HEADERS_TIMEOUT_MS. Applies while a request's headers arrive, not to idle keep-alive connections. */
  headersTimeoutMs?: number;
  /** Default DEFAULT_REQUEST_TIMEOUT_MS; at least `headersTimeoutMs`. */
  requestTimeoutMs?: number;
  /** Default DEFAULT_MAX_CONNECTIONS. */
  maxConnections?: number;
  logger: Logger;
  /** What the log line calls it, e.g. "MCP server listening". */
  message: string;
  /** Path appended to the URL in the log line, e.g. /mcp. */
  path?: string;
  /** Paths by server name, logged as `servers` with their full URLs, e.g. { cost: '/cost/mcp' }. */
  servers?: Readonly<Record<string, string>>;
}

/** host:port as written in a URL. */
const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** The error for a failed listen: which address, and why, in words. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const address = hostPort(host, port);
  switch (err.code) {
    case 'EADDRINUSE':
      return new Error(`Cannot listen on ${address}: the address is already in use (another process listens there; set another port)`);
    case 'EACCES':
      return new Error(`Cannot listen on ${address}: permission denied (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
      return new Error(`Cannot listen on ${address}: no network interface has this address`);
    default:
      return new Error(`Cannot listen on ${address}: ${err.message}`);
  }
}

/**
 * Serves `app` and resolves once it listens; rejects with an error naming the address when it
 * cannot. Headers must arrive within `headersTimeoutMs` and the whole request within
 * `requestTimeoutMs` (checked every second at most, so a slow client is cut within a second of the
 * bound), while an idle keep-alive connection stays open `keepAliveTimeoutMs`. Connections beyond
 * `maxConnections` are closed on arrival, and logged (at most one line every 10 s).
 */
export function listen(app: Express, opts: ListenOptions): Promise<Server> {
  const headersTimeout = opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = opts.requestTimeoutMs ?? Math.max(DEFAULT_REQUEST_TIMEOUT_MS, headersTimeout);
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node checks both timeouts on this interval (30 s by default, which would add up to 30 s to them).
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    app,
  );
  server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  let dropped = 0;
  let lastDropLog = 0;
  server.on('drop', () => {
    dropped++;
    const now = Date.now();
    if (now - lastDropLog < 10_000) return;
    lastDropLog = now;
    opts.logger.warn({ maxConnections: server.maxConnections, dropped }, 'connection limit reached: closing new connections');
    dropped = 0;
  });
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, opts.host, opts.port));
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      const { port } = server.address() as AddressInfo;
      const base = `http://${hostPort(opts.host, port)}`;
      const servers = opts.servers && Object.fromEntries(Object.entries(opts.servers).map(([name, p]) => [name, `${base}${p}`]));
      opts.logger.info({ url: `${base}${opts.path ?? ''}`, ...(servers && { servers }) }, opts.message);
      resolve(server);
    });
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
        // The spans of the last requests are sent before the process ends (bounded by the deadline above).
        void flushTraces().then(() => process.exit(0));
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
