// npm start: every MCP server behind the front door (PORT, default 3000) and the agent (AGENT_PORT,
// default 3001) in one process, the agent finding the servers through a static list instead of Cloud Map.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readEnv, servedNames } from './config';
import { ENV, serverMcpPath } from './contract';
import { startAgent } from './agent/main';
import { createLogger } from './logger';
import { startServer } from './main';
import { drainOnSignals, runMain, type DrainState } from './serve';
import { serverCatalog } from './servers/catalog';

/** The agent's MCP_SERVERS for servers on 127.0.0.1:`port`: `name=url` items, one per server. */
export function localServersList(names: readonly string[], port: number): string {
  return names.map((name) => `${name}=http://127.0.0.1:${port}${serverMcpPath(name)}`).join(',');
}

if (require.main === module) {
  runMain(async () => {
    const catalog = serverCatalog();
    const env = readEnv(process.env, catalog);
    const state: DrainState = { draining: false };
    const servers: Server[] = [];
    drainOnSignals(() => servers, { timeoutMs: env.SHUTDOWN_TIMEOUT_MS, logger: createLogger('local'), state });
    const server = await startServer(state, undefined, env, undefined, catalog);
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    if (!process.env[ENV.servers]) process.env[ENV.servers] = localServersList(servedNames(env.MCP_SERVER, catalog), port);
    servers.push(await startAgent(state));
  });
}
