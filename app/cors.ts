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

/**
 * CORS for `allowedOrigins`, as API Gateway answers it: a preflight (OPTIONS with an Origin and
 * Access-Control-Request-Method) is answered 204 here, with the allowed methods, headers and max age
 * for an allowed origin and no CORS headers for any other; other responses to an allowed origin carry
 * Access-Control-Allow-Origin and the exposed headers. Whether the request itself is served is for
 * `originGuard` to decide.
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const origins = new Set(allowedOrigins.map(normalizeOrigin));
  const allowMethods = MCP_CORS.allowMethods.join(', ');
  const allowHeaders = MCP_CORS.allowHeaders.join(', ');
  const exposeHeaders = MCP_CORS.exposeHeaders.join(', ');
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    res.vary('Origin');
    const allowed = origins.has(normalizeOrigin(origin));
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (allowed) res.setHeader('Access-Control-Allow-Origin', origin);
    if (!preflight) {
      if (allowed) res.setHeader('Access-Control-Expose-Headers', exposeHeaders);
      return next();
    }
    if (allowed) {
      res.setHeader('Access-Control-Allow-Methods', allowMethods);
      res.setHeader('Access-Control-Allow-Headers', allowHeaders);
      res.setHeader('Access-Control-Max-Age', String(MCP_CORS.maxAge));
    }
    res.status(204).end();
  };
}
