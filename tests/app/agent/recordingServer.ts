import type { IncomingMessage } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { McpServer as LegacyMcpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { listen } from '../../helpers/http';

/** One request a recording server received: its JSON-RPC method, and the MCP headers it came with. */
export interface Recorded {
  method: string;
  protocolVersion?: string;
  mcpMethod?: string;
  mcpName?: string;
}

/** What answers the requests of a recording server: an MCP server app, for one request. */
export interface McpApp {
  handle(req: Request, res: Response): Promise<void>;
  close(): Promise<void>;
}

export interface RecordingServer {
  url: string;
  /** Every POST received at /mcp, in order. */
  requests: Recorded[];
  /** Serves another app from now on (a redeployment at the same URL); the previous one is closed. */
  redeploy(app: McpApp): Promise<void>;
  close(): Promise<void>;
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** An MCP server app on 127.0.0.1 at /mcp, recording the method and MCP headers of each request before `app` answers it. */
export async function recordingServer(app: McpApp): Promise<RecordingServer> {
  let current = app;
  const requests: Recorded[] = [];
  const http = express();
  http.use(express.json());
  http.all('/mcp', (req, res) => {
    // A GET (the stream a 2025 client may open after initializing) is served, not recorded: when it comes is not ordered.
    if (req.method !== 'POST') return void current.handle(req, res);
    const recorded: Recorded = { method: String(req.body?.method) };
    for (const [key, name] of [
      ['protocolVersion', 'mcp-protocol-version'],
      ['mcpMethod', 'mcp-method'],
      ['mcpName', 'mcp-name'],
    ] as const) {
      const value = header(req, name);
      if (value !== undefined) recorded[key] = value;
    }
    requests.push(recorded);
    void current.handle(req, res);
  });
  const running = await listen(http);
  return {
    url: `${running.url}/mcp`,
    requests,
    redeploy: async (next) => {
      const previous = current;
      current = next;
      await previous.close();
    },
    close: async () => {
      await running.close();
      await current.close();
    },
  };
}

/**
 * A server built on the v2 SDK (createMcpHandler): 2026-07-28, and the 2025 revisions per request. `echo` says
 * which it was asked in; `big` answers as many bytes as asked.
 */
export function modernApp(): McpApp {
  const handler = createMcpHandler(({ era }) => {
    const server = new McpServer({ name: 'modern', version: '1.0.0' });
    server.registerTool('echo', { description: 'Echo', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
      content: [{ type: 'text', text: `${text} (${era})` }],
    }));
    // SEP-2243: a 2026-07-28 call of this tool must carry its `region` argument in an Mcp-Param-Region header too.
    server.registerTool(
      'regional',
      { description: 'Names the region it was asked about', inputSchema: z.object({ region: z.string().meta({ 'x-mcp-header': 'Region' }) }) },
      async ({ region }, ctx) => ({ content: [{ type: 'text', text: `${region} (header ${ctx.http?.req?.headers.get('mcp-param-region') ?? 'absent'})` }] }),
    );
    server.registerTool('big', { description: 'Answers `bytes` bytes of text', inputSchema: z.object({ bytes: z.number().int() }) }, async ({ bytes }) => ({
      content: [{ type: 'text', text: 'x'.repeat(bytes) }],
    }));
    return server;
  });
  const node = toNodeHandler(handler);
  return { handle: (req, res) => node(req, res, req.body), close: () => handler.close() };
}

/** An app that answers every request with HTTP 500. */
export function failingApp(): McpApp {
  return {
    handle: async (_req, res) => void res.status(500).end(),
    close: async () => undefined,
  };
}

/** A 2025-only server, built on the v1 SDK as stateless servers were: it refuses 2026-07-28 requests. */
export function legacyApp(): McpApp {
  return {
    handle: async (req, res) => {
      const server = new LegacyMcpServer({ name: 'legacy', version: '1.0.0' });
      server.registerTool('echo', { description: 'Echo', inputSchema: { text: z.string() } }, async ({ text }) => ({
        content: [{ type: 'text', text: `${text} (legacy)` }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    },
    close: async () => undefined,
  };
}
