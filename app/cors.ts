import type { RequestHandler } from 'express';

/**
 * What a browser MCP client may send and read across origins. The app serves these on the container
 * targets; on Lambda, API Gateway and the Function URL are configured with the same lists.
 */
export const MCP_CORS = {
  allowMethods: ['POST', 'GET', 'DELETE', 'OPTIONS'],
  // mcp-method and mcp-name: the headers a 2026-07-28 client sends with every request, mirroring its body.
  allowHeaders: ['content-type', 'accept', 'authorization', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-session-id', 'last-event-id'],
  exposeHeaders: ['mcp-session-id', 'mcp-protocol-version', 'mcp-method', 'mcp-name'],
  /** Seconds a browser may cache a preflight answer. */
  maxAge: 3600,
};

/** An origin as compared: lower case, without a trailing slash. */
export const normalizeOrigin = (origin: string): string => origin.toLowerCase().replace(/\/$/, '');

/** What CORS adds to one request's answer (`corsAnswer`). */
export interface CorsAnswer {
  /** Headers to set on the response (none for a request without Origin). */
  headers: Record<string, string>;
  /** The request is a preflight: answer it 204 here, with these headers. */
  preflight: boolean;
}

/**
 * CORS for `allowedOrigins`, as API Gateway answers it: a preflight (OPTIONS with an Origin and
 * Access-Control-Request-Method) is answered 204 here, with the allowed methods, headers and max age
 * for an allowed origin and no CORS headers for any other; other responses to an allowed origin carry
 * Access-Control-Allow-Origin and the exposed headers; every answer to a request with an Origin
 * varies on it. Whether the request itself is served is for `originGuard` to decide.
 */
export function corsAnswer(
  allowedOrigins: readonly string[],
): (origin: string | undefined, method: string, requestMethodHeader: string | undefined) => CorsAnswer {
  const origins = new Set(allowedOrigins.map(normalizeOrigin));
  const allowMethods = MCP_CORS.allowMethods.join(', ');
  const allowHeaders = MCP_CORS.allowHeaders.join(', ');
  const exposeHeaders = MCP_CORS.exposeHeaders.join(', ');
  return (origin, method, requestMethodHeader) => {
    if (origin === undefined) return { headers: {}, preflight: false };
    const headers: Record<string, string> = { Vary: 'Origin' };
    const allowed = origins.has(normalizeOrigin(origin));
    const preflight = method === 'OPTIONS' && requestMethodHeader !== undefined;
    if (allowed) headers['Access-Control-Allow-Origin'] = origin;
    if (allowed && !preflight) headers['Access-Control-Expose-Headers'] = exposeHeaders;
    if (allowed && preflight) {
      headers['Access-Control-Allow-Methods'] = allowMethods;
      headers['Access-Control-Allow-Headers'] = allowHeaders;
      headers['Access-Control-Max-Age'] = String(MCP_CORS.maxAge);
    }
    return { headers, preflight };
  };
}

/** `corsAnswer` as Express middleware. */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const answer = corsAnswer(allowedOrigins);
  return (req, res, next) => {
    const { headers, preflight } = answer(req.headers.origin, req.method, req.headers['access-control-request-method']);
    for (const [name, value] of Object.entries(headers)) {
      if (name === 'Vary') res.vary(value);
      else res.setHeader(name, value);
    }
    if (!preflight) return next();
    res.status(204).end();
  };
}
