import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers one JSON-RPC request (tools/list or tools/call). */
export type Behavior = (msg: { id: number | string; method: string; params?: any }, res: ServerResponse) => void;

export interface FakeServer {
  url: string;
  /** Requests it received, by JSON-RPC method. */
  methods: string[];
  close(): Promise<void>;
}

/** The revisions a 2025-only server speaks. */
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

export const TOOL = { name: 'leak', description: 'answers badly', inputSchema: { type: 'object' } };

export const answer = (res: ServerResponse, id: unknown, result: unknown) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id, result }));
};

/** Writes `chunk` again and again until the client goes away; the timer stops with the socket. */
export function streamForever(res: ServerResponse, first: string, chunk: string): void {
  res.write(first);
  const timer = setInterval(() => res.write(chunk), 1);
  res.once('close', () => clearInterval(timer));
}

/**
 * A minimal 2025-only Streamable HTTP server on 127.0.0.1: it refuses 2026-07-28 requests as the v1 SDK
 * does, initializes like a real one and lists one tool, then answers tools/call (and tools/list, when
 * given) with the behavior under test.
 */
export async function fakeServer(behaviors: { call: Behavior; list?: Behavior; initializeDelayMs?: number; path?: string }): Promise<FakeServer> {
  const methods: string[] = [];
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      methods.push(msg.method);
      const version = req.headers['mcp-protocol-version'];
      if (typeof version === 'string' && !LEGACY_VERSIONS.includes(version)) {
        // What a 2025-only server (the v1 SDK's transport) answers a 2026-07-28 request, server/discover included.
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: `Bad Request: Unsupported protocol version: ${version}` }, id: null }));
      } else if (msg.id === undefined) {
        res.writeHead(202).end();
      } else if (msg.method === 'initialize') {
        const initialized = () =>
          answer(res, msg.id, {
            protocolVersion: msg.params.protocolVersion,
            capabilities: { tools: {} },
            serverInfo: { name: 'fake', version: '1.0.0' },
          });
        if (behaviors.initializeDelayMs) setTimeout(initialized, behaviors.initializeDelayMs);
        else initialized();
      } else if (msg.method === 'tools/list') {
        if (behaviors.list) behaviors.list(msg, res);
        else answer(res, msg.id, { tools: [TOOL] });
      } else {
        behaviors.call(msg, res);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${behaviors.path ?? '/mcp'}`,
    methods,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A fake server named `name` at /<name>/mcp offering `tools` (by name); a call answers which server
 * ran which tool with which arguments, as structured content.
 */
export function namedServer(name: string, tools: string[]): Promise<FakeServer> {
  return fakeServer({
    path: `/${name}/mcp`,
    list: (msg, res) => answer(res, msg.id, { tools: tools.map((t) => ({ name: t, description: `${t} of ${name}`, inputSchema: { type: 'object' } })) }),
    call: (msg, res) =>
      answer(res, msg.id, {
        content: [{ type: 'text', text: `${name} ran ${msg.params.name}` }],
        structuredContent: { server: name, tool: msg.params.name, arguments: msg.params.arguments },
      }),
  });
}
