// Raw 2026-07-28 requests, as a modern client sends them: the protocol version and client
// capabilities in the body's _meta, and headers mirroring the body.
import { post } from '../helpers/http';

export const MODERN = '2026-07-28';

/** The `_meta` envelope of a 2026-07-28 request. */
export const envelope = (version = MODERN) => ({
  'io.modelcontextprotocol/protocolVersion': version,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'wire-test', version: '1.0.0' },
});

/** The params whose value a modern request repeats in its Mcp-Name header, by method. */
const NAMED: Record<string, string> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

/**
 * POSTs a 2026-07-28 request: `headers` are added to (or replace) the ones a conforming client sends;
 * `version` is the one its envelope and MCP-Protocol-Version header claim.
 */
export function postModern(
  url: string,
  id: number,
  method: string,
  params: Record<string, unknown> = {},
  opts: { headers?: Record<string, string>; version?: string } = {},
): Promise<Response> {
  const version = opts.version ?? MODERN;
  const nameParam = NAMED[method];
  const name = nameParam !== undefined ? params[nameParam] : undefined;
  return post(
    url,
    { jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope(version) } },
    {
      'mcp-protocol-version': version,
      'mcp-method': method,
      ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
      ...opts.headers,
    },
  );
}
