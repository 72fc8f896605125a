// npm start: the MCP server (PORT, default 3000) and the agent (AGENT_PORT, default 3001) in one
// process, the agent finding the server through a static list instead of Cloud Map.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readEnv } from './config';
import { startAgent } from './agent/main';
import { createLogger } from './logger';
import { startServer } from './main';
import { drainOnSignals, runMain, type DrainState } from './serve';

runMain(async () => {
  const state: DrainState = { draining: false };
  const servers: Server[] = [];
  drainOnSignals(() => servers, { timeoutMs: readEnv().SHUTDOWN_TIMEOUT_MS, logger: createLogger('local'), state });
  const server = await startServer(state);
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  if (!process.env.MCP_SERVERS) process.env.MCP_SERVERS = `http://127.0.0.1:${port}/mcp`;
  servers.push(await startAgent(state));
});
