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
