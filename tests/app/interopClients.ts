// The MCP clients the server must interoperate with, each behind a fetch that records every
// exchange: the JSON-RPC method, the protocol version the request claimed, and the HTTP status.
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2, type VersionNegotiationMode } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Fetch } from '../helpers/httpApi';

export { lambdaFetch, type Fetch } from '../helpers/httpApi';

export interface Exchange {
  /** The JSON-RPC method of the body (or the HTTP method of a body-less request). */
  method: string;
  /** The MCP-Protocol-Version header, or the body's _meta protocol version (2026-07-28), or initialize's. */
  version?: string;
  status: number;
}

const META_VERSION = 'io.modelcontextprotocol/protocolVersion';

/** `inner`, recording each exchange in `log`. */
export function recording(inner: Fetch, log: Exchange[]): Fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const text = request.method === 'POST' ? await request.clone().text() : '';
    let method = request.method;
    let version = request.headers.get('mcp-protocol-version') ?? undefined;
    if (text) {
      const body = JSON.parse(text) as { method?: string; params?: { protocolVersion?: string; _meta?: Record<string, unknown> } };
      method = body.method ?? '(response)';
      version ??= (body.params?._meta?.[META_VERSION] as string | undefined) ?? body.params?.protocolVersion;
    }
    const response = await inner(request);
    log.push({ method, version, status: response.status });
    return response;
  };
}

/** What each client does in the interop test, whatever its API. */
export interface InteropClient {
  listToolNames(): Promise<string[]>;
  callTool(name: string, args: Record<string, unknown>): Promise<{ isError?: boolean; structuredContent?: unknown }>;
  /** The protocol version the client says it settled on, when its API tells. */
  negotiatedVersion(): string | undefined;
  close(): Promise<void>;
}

export type ClientKind = 'v2-pinned-2026-07-28' | 'v2-auto' | 'v2-legacy' | 'v1' | 'ai-sdk';

const INFO = { name: 'interop-test', version: '1.0.0' };

/** A client of `kind` connected to `url` through `fetch`. */
export async function connect(kind: ClientKind, url: string, fetch: Fetch): Promise<InteropClient> {
  switch (kind) {
    case 'v2-pinned-2026-07-28':
    case 'v2-auto':
    case 'v2-legacy': {
      const mode: VersionNegotiationMode = kind === 'v2-auto' ? 'auto' : kind === 'v2-legacy' ? 'legacy' : { pin: '2026-07-28' };
      const client = new ClientV2(INFO, { versionNegotiation: { mode } });
      await client.connect(new TransportV2(new URL(url), { fetch }));
      return {
        listToolNames: async () => (await client.listTools()).tools.map((t) => t.name),
        callTool: async (name, args) => (await client.callTool({ name, arguments: args })) as never,
        negotiatedVersion: () => client.getNegotiatedProtocolVersion(),
        close: () => client.close(),
      };
    }
    case 'v1': {
      const client = new ClientV1(INFO);
      const transport = new TransportV1(new URL(url), { fetch });
      await client.connect(transport);
      return {
        listToolNames: async () => (await client.listTools()).tools.map((t) => t.name),
        callTool: async (name, args) => (await client.callTool({ name, arguments: args })) as never,
        negotiatedVersion: () => transport.protocolVersion,
        close: () => client.close(),
      };
    }
    case 'ai-sdk': {
      // An ES module only: imported when used.
      const { createMCPClient } = await import('@ai-sdk/mcp');
      const client = await createMCPClient({ transport: { type: 'http', url, fetch } });
      return {
        listToolNames: async () => (await client.listTools()).tools.map((t) => t.name),
        callTool: async (name, args) => (await client.callTool({ name, arguments: args })) as never,
        negotiatedVersion: () => client.initializeResult.protocolVersion,
        close: () => client.close(),
      };
    }
  }
}
