// The requests the benchmarks send, on both protocol generations, and how they judge an answer.
// 2025-era: a plain JSON-RPC POST (stateless, no initialize first), with MCP-Protocol-Version
// 2025-11-25 except on initialize. 2026-07-28: the version, method and name in headers
// (MCP-Protocol-Version, Mcp-Method, Mcp-Name) and the `_meta` envelope in the body.

export const LEGACY_VERSION = '2025-11-25';
export const MODERN_VERSION = '2026-07-28';

export interface WireRequest {
  headers: Record<string, string>;
  body: string;
}

const BASE_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const CLIENT_INFO = { name: 'bench', version: '1' };

export function legacyRequest(method: string, params: Record<string, unknown> = {}): WireRequest {
  const version: Record<string, string> = method === 'initialize' ? {} : { 'mcp-protocol-version': LEGACY_VERSION };
  const withInit = method === 'initialize' ? { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: CLIENT_INFO, ...params } : params;
  return { headers: { ...BASE_HEADERS, ...version }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: withInit }) };
}

export function modernRequest(method: string, params: Record<string, unknown> = {}): WireRequest {
  const name: Record<string, string> = typeof params.name === 'string' ? { 'mcp-name': params.name } : typeof params.uri === 'string' ? { 'mcp-name': params.uri } : {};
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
  };
  return {
    headers: { ...BASE_HEADERS, 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': method, ...name },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta } }),
  };
}

/** The JSON-RPC messages of a response body: one JSON value, or the `data:` events of an SSE stream. */
export function jsonRpcMessages(contentType: string | undefined, body: string): unknown[] {
  if ((contentType ?? '').startsWith('text/event-stream')) {
    const messages: unknown[] = [];
    for (const event of body.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) messages.push(JSON.parse(data));
    }
    return messages;
  }
  return body.trim() ? [JSON.parse(body)] : [];
}

export type Answer = { ok: true; result: Record<string, unknown> } | { ok: false; reason: string };

/**
 * Whether an HTTP answer is a successful JSON-RPC result: status 200 and a response carrying
 * `result` (for a tool call, not `isError`); otherwise why not, with the server's error message.
 */
export function judgeAnswer(status: number, contentType: string | undefined, body: string): Answer {
  let messages: unknown[];
  try {
    messages = jsonRpcMessages(contentType, body);
  } catch {
    return { ok: false, reason: `HTTP ${status}, body not JSON-RPC: ${body.slice(0, 120)}` };
  }
  const response = messages.find((m): m is Record<string, unknown> => typeof m === 'object' && m !== null && ('result' in m || 'error' in m));
  const error = response?.error as { code?: unknown; message?: unknown } | undefined;
  if (error) return { ok: false, reason: `HTTP ${status}, error ${String(error.code)} ${String(error.message)}` };
  if (status !== 200 || !response) return { ok: false, reason: `HTTP ${status}, no JSON-RPC result` };
  const result = response.result as Record<string, unknown>;
  if (result.isError === true) return { ok: false, reason: `HTTP ${status}, tool error: ${JSON.stringify(result.content).slice(0, 120)}` };
  return { ok: true, result };
}
