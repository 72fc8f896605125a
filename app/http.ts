import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { normalizeOrigin } from './cors';
import { RPC, sendRpcError } from './jsonrpc';
import { capFields, capString, MAX_LOG_FIELD_CHARS, type Logger } from './logger';

/** Why a request was refused, for its log line; set by the error handlers. */
const REFUSAL = Symbol('refusal');
/** The trace of a request, for its log line; set where its span starts. */
const TRACE = Symbol('trace');
type WithRefusal = { [REFUSAL]?: string; [TRACE]?: object };

/** What the request log line of one request says (see `requestLine`). */
export interface RequestFacts {
  method: string;
  path: string;
  /** The parsed body, for `describe`. */
  body: unknown;
  status: number;
  /** process.hrtime.bigint() when the request arrived. */
  started: bigint;
  /** The client went away before the response was sent. */
  aborted?: boolean;
  /** Why the request was refused. */
  refusal?: string;
  /** Its trace (traceId, spanId, xrayTraceId), when it is traced. */
  trace?: object;
}

/**
 * The fields of a request's log line: method, path, status, duration and whatever `describe` reads
 * from the parsed body. Every string in it is cut to MAX_LOG_FIELD_CHARS, so that a huge path or
 * JSON-RPC method cannot make a huge line. Written by `requestLog` and by the Lambda handler.
 */
export function requestLine(facts: RequestFacts, describe: (body: unknown) => object = () => ({})): object {
  return {
    method: capString(facts.method),
    path: capString(facts.path),
    ...(capFields(describe(facts.body), MAX_LOG_FIELD_CHARS, 1) as object),
    status: facts.status,
    durationMs: Number(process.hrtime.bigint() - facts.started) / 1e6,
    ...(facts.aborted ? { aborted: true } : {}),
    ...(facts.refusal ? { error: facts.refusal } : {}),
    ...(facts.trace ?? {}),
  };
}

/**
 * One log line per request (`requestLine`), written once the response is sent (or the client went
 * away).
 */
export function requestLog(logger: Logger, describe: (body: unknown) => object = () => ({}), isDraining = () => false): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now: inside a middleware mounted on a path, req.path is what is left under it.
    const path = req.path;
    if (isDraining()) res.setHeader('Connection', 'close');
    res.once('close', () => {
      const facts = {
        method: req.method,
        path,
        body: req.body,
        status: res.statusCode,
        started,
        aborted: !res.writableFinished,
        refusal: (res as WithRefusal)[REFUSAL],
        trace: (res as WithRefusal)[TRACE],
      };
      logger.info(requestLine(facts, describe), 'request');
    });
    next();
  };
}

/** Puts a request's trace on its log line. */
export function noteTrace(res: Response | ServerResponse, fields: object | undefined): void {
  if (fields) (res as WithRefusal)[TRACE] = fields;
}

/**
 * Puts why a request was refused on its log line (`error`), when it is refused somewhere other than
 * the error handlers here (the MCP SDK refuses some requests itself).
 */
export function noteRefusal(res: Response | ServerResponse, message: string): void {
  (res as WithRefusal)[REFUSAL] = capString(message);
}

export interface HttpError {
  type?: string;
  limit?: number;
  status?: number;
  statusCode?: number;
  code?: string;
  message?: string;
}

/** How a request is refused: HTTP status, JSON-RPC error code and message. */
export interface Refusal {
  status: number;
  code: number;
  message: string;
}

/**
 * Status, JSON-RPC code and message for an error the client caused (body-parser's errors, and those
 * the Lambda handler's body reader raises in their shape), or undefined for any other.
 * `contentEncoding`: the request's Content-Encoding header.
 */
export function clientError(err: HttpError, contentEncoding: string | undefined): Refusal | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return { status: 400, code: RPC.PARSE_ERROR, message: 'Parse error: the body is not valid JSON' };
    case 'entity.too.large':
      return { status: 413, code: RPC.SERVER_ERROR, message: `Request body too large: the limit is ${err.limit} bytes` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, code: RPC.SERVER_ERROR, message: 'Unsupported body encoding: send UTF-8 JSON' };
  }
  // A path segment that is not valid percent-encoding (Express marks the URIError 400).
  if (err instanceof URIError) return { status: 400, code: RPC.INVALID_REQUEST, message: 'Bad request: the path is not valid percent-encoding' };
  const status = err.status ?? err.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  // body-parser passes zlib's error on, marked 400, when the body does not decompress.
  const encoding = contentEncoding;
  if (status === 400 && encoding && encoding.toLowerCase() !== 'identity') {
    return { status, code: RPC.PARSE_ERROR, message: `Parse error: the body does not decompress as Content-Encoding: ${capString(encoding, 32)}` };
  }
  return { status, code: status === 400 ? RPC.INVALID_REQUEST : RPC.SERVER_ERROR, message: `Bad request: ${capString(err.message ?? String(status), 200)}` };
}

/**
 * Maps the errors a client causes (an unparsable, undecodable, oversized or badly encoded body, a
 * malformed path) to their 4xx status with a JSON-RPC error body. They are logged on the request's
 * line, not as errors. Anything else goes on to `internalError`.
 */
export function clientErrors(answer: ErrorAnswer = sendRpcError): ErrorRequestHandler {
  return (err: HttpError, req, res, next) => {
    if (res.headersSent) return next(err);
    if (err?.type === 'request.aborted') return;
    const refusal = clientError(err ?? {}, req.headers['content-encoding']);
    if (!refusal) return next(err);
    (res as WithRefusal)[REFUSAL] = capString(err.message ?? refusal.message);
    answer(res, refusal.status, refusal.code, refusal.message);
  };
}

/** `clientErrors` answering with JSON-RPC error bodies, as /mcp does. */
export const bodyErrors: ErrorRequestHandler = clientErrors();

/** How a refusal is written: a JSON-RPC error body (/mcp), or the agent's `{ "error": message }`. */
export type ErrorAnswer = (res: Response, status: number, code: number, message: string) => void;

/** Answers `{ "error": message }`: the error body of a plain JSON API such as the agent's. */
export const plainError: ErrorAnswer = (res, status, _code, message) => {
  res.status(status).json({ error: message });
};

/** The last error handler: logs, and answers 500 unless a response has started. */
export function internalError(logger: Logger, answer: ErrorAnswer = sendRpcError): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    logger.error({ err }, 'unhandled error');
    if (!res.headersSent) answer(res, 500, RPC.INTERNAL_ERROR, 'Internal error');
  };
}

/**
 * For a response written with `writeHead(status, headers)`: drops a Connection header given there,
 * so that Node's own stands (keep-alive, or close when the client asked for it or the app set it
 * while draining). The MCP SDK writes `Connection: keep-alive` on every SSE response.
 */
export const nodeDecidesConnection: RequestHandler = (_req, res, next) => {
  onWriteHeadHeaders(res, (headers) => Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'connection')));
  next();
};

/**
 * Passes the headers object given to `res.writeHead(status, [reason,] headers)` through `change` on
 * every call; what it answers is written in their place (undefined: none there).
 */
export function onWriteHeadHeaders(res: ServerResponse, change: (headers: Record<string, unknown>) => Record<string, unknown> | undefined): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const at = typeof args[1] === 'string' ? 2 : 1;
    const headers = args[at];
    if (headers && typeof headers === 'object' && !Array.isArray(headers)) {
      const changed = change(headers as Record<string, unknown>);
      if (changed === undefined) args.splice(at, 1);
      else args[at] = changed;
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
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
 * Both refusals are 403, as the MCP transport specification requires for an invalid Origin. Answers
 * the refusal of a request with these Host and Origin headers, or undefined when it may be served.
 */
export function hostOriginCheck(
  allowedHosts: readonly string[] | undefined,
  allowedOrigins: readonly string[],
): (host: string | undefined, origin: string | undefined) => Refusal | undefined {
  const hosts = allowedHosts ? new Set(allowedHosts.map((h) => h.toLowerCase())) : undefined;
  const origins = new Set(allowedOrigins.map(normalizeOrigin));
  return (host, origin) => {
    const hostname = host ? hostnameOf(host) : undefined;
    if (hosts && (!hostname || !hosts.has(hostname))) {
      return { status: 403, code: RPC.SERVER_ERROR, message: `Host not allowed: ${host === undefined ? '(none)' : capString(host, 200)}` };
    }
    if (origin !== undefined) {
      let allowed = origins.has(normalizeOrigin(origin));
      if (!allowed) {
        try {
          const url = new URL(origin);
          allowed = url.host === host || (hosts?.has(url.hostname) ?? false);
        } catch {
          allowed = false;
        }
      }
      if (!allowed) return { status: 403, code: RPC.SERVER_ERROR, message: `Origin not allowed: ${capString(origin, 200)}` };
    }
    return undefined;
  };
}

/** `hostOriginCheck` as Express middleware. */
export function originGuard(
  allowedHosts: readonly string[] | undefined,
  allowedOrigins: readonly string[],
  answer: ErrorAnswer = sendRpcError,
): RequestHandler {
  const check = hostOriginCheck(allowedHosts, allowedOrigins);
  return (req, res, next) => {
    const refusal = check(req.headers.host, req.headers.origin);
    if (refusal) return answer(res, refusal.status, refusal.code, refusal.message);
    next();
  };
}
