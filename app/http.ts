import type { ErrorRequestHandler, RequestHandler } from 'express';
import { RPC, sendRpcError } from './jsonrpc';
import type { Logger } from './logger';

/**
 * One log line per request, written once the response is sent (or the client went away), with
 * method, path, status, duration and whatever `describe` reads from the parsed body.
 */
export function requestLog(logger: Logger, describe: (body: unknown) => object = () => ({}), isDraining = () => false): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    if (isDraining()) res.setHeader('Connection', 'close');
    res.once('close', () => {
      logger.info(
        {
          method: req.method,
          path: req.path,
          ...describe(req.body),
          status: res.statusCode,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
    next();
  };
}

/** Maps body-parser failures to HTTP statuses with JSON-RPC error bodies. */
export const bodyErrors: ErrorRequestHandler = (err: { type?: string; limit?: number }, _req, res, next) => {
  if (res.headersSent) return next(err);
  switch (err.type) {
    case 'entity.parse.failed':
      return sendRpcError(res, 400, RPC.PARSE_ERROR, 'Parse error: the body is not valid JSON');
    case 'entity.too.large':
      return sendRpcError(res, 413, RPC.SERVER_ERROR, `Request body too large: the limit is ${err.limit} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return sendRpcError(res, 415, RPC.SERVER_ERROR, 'Unsupported body encoding: send UTF-8 JSON');
    case 'request.aborted':
      return;
    default:
      return next(err);
  }
};

/** The last error handler: logs, and answers 500 unless a response has started. */
export function internalError(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    logger.error({ err }, 'unhandled error');
    if (!res.headersSent) sendRpcError(res, 500, RPC.INTERNAL_ERROR, 'Internal error');
  };
}

function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * DNS-rebinding protection for /mcp: the Host must be on the allow-list (when there is one), and a
 * browser's Origin must be the server's own origin, on an allowed host, or explicitly allowed.
 * Both refusals are 403, as the MCP transport specification requires for an invalid Origin.
 */
export function originGuard(allowedHosts: readonly string[] | undefined, allowedOrigins: readonly string[]): RequestHandler {
  const hosts = allowedHosts ? new Set(allowedHosts.map((h) => h.toLowerCase())) : undefined;
  const origins = new Set(allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, '')));
  return (req, res, next) => {
    const host = req.headers.host;
    const hostname = host ? hostnameOf(host) : undefined;
    if (hosts && (!hostname || !hosts.has(hostname))) {
      sendRpcError(res, 403, RPC.SERVER_ERROR, `Host not allowed: ${host ?? '(none)'}`);
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let allowed = origins.has(origin.toLowerCase());
      if (!allowed) {
        try {
          const url = new URL(origin);
          allowed = url.host === host || (hosts?.has(url.hostname) ?? false);
        } catch {
          allowed = false;
        }
      }
      if (!allowed) {
        sendRpcError(res, 403, RPC.SERVER_ERROR, `Origin not allowed: ${origin}`);
        return;
      }
    }
    next();
  };
}
