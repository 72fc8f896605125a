import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Express } from 'express';
import pino from 'pino';

export const silentLogger = pino({ level: 'silent' });

export interface Running {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Serves an Express app on an ephemeral port of 127.0.0.1 (`maxHeaderSize`: Node's header limit, for oversized requests). */
export async function listen(app: Express, opts: { maxHeaderSize?: number } = {}): Promise<Running> {
  const server = http.createServer(opts, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An SDK client connected to `mcpUrl` over Streamable HTTP. */
export async function connectClient(mcpUrl: string): Promise<Client> {
  const client = new Client({ name: 'mcp-on-aws-tests', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  return client;
}

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
} as const;

/**
 * A raw HTTP request through node:http, which, unlike fetch, may set the Host header.
 * Answers a standard Response.
 */
export function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, String(v));
        resolve(new Response(chunks.length ? Buffer.concat(chunks) : null, { status: res.statusCode!, headers }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A raw JSON-RPC POST; the body is sent as given when it is a string. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return request(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Reads a JSON-RPC message from a JSON or single-event SSE response body. */
export async function rpcBody(res: Response): Promise<any> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6));
    return JSON.parse(data[data.length - 1]!);
  }
  return JSON.parse(text);
}

/** The JSON body of a response, untyped for assertions. */
export const json = (res: Response): Promise<any> => res.json();
