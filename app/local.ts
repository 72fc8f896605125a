// npm start: every MCP server behind the front door (PORT, default 3000) and the agent (AGENT_PORT,
// default 3001) in one process, the agent finding the servers through a static list instead of Cloud Map.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readEnv, servedNames } from './config';
import { startLocalAuthServer, type LocalAuthServer } from './auth/local/server';
import { ENV, scopeOf, serverMcpPath } from './contract';
import { startAgent } from './agent/main';
import { createLogger, type Logger } from './logger';
import { startTracing } from './observability/tracing';
import { startServer } from './main';
import { drainOnSignals, runMain, type DrainState } from './serve';
import { choosePrimary, serverCatalog, type ServerCatalog } from './servers/catalog';

/** The agent's MCP_SERVERS for servers on 127.0.0.1:`port`: `name=url` items, one per server. */
export function localServersList(names: readonly string[], port: number): string {
  return names.map((name) => `${name}=http://127.0.0.1:${port}${serverMcpPath(name)}`).join(',');
}

/** The scope prefix of `AUTH=local`: scopes mcp-on-aws/<server> and mcp-on-aws/agent. */
export const LOCAL_SCOPE_PREFIX = 'mcp-on-aws';

/**
 * AUTH=local: starts the local authorization server (AUTH_PORT, default 3002), then sets what the
 * servers and the agent read to use it (MCP_AUTH=local, its issuer, the scope prefix, the agent's
 * token endpoint and client). Any other AUTH value than local or unset is refused.
 */
export async function localAuthorization(env: NodeJS.ProcessEnv, catalog: ServerCatalog, logger: Logger): Promise<LocalAuthServer | undefined> {
  const mode = env.AUTH;
  if (mode === undefined || mode === '' || mode === 'none') return undefined;
  if (mode !== 'local') throw new Error(`AUTH must be local (a real OAuth 2.1 authorization server on loopback) or unset (got "${mode}")`);
  const port = env.AUTH_PORT === undefined ? 3002 : Number(env.AUTH_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`AUTH_PORT must be a port number (got "${env.AUTH_PORT}")`);
  const names = servedNames(env[ENV.server] || undefined, catalog);
  const as = await startLocalAuthServer({ port, scopePrefix: LOCAL_SCOPE_PREFIX, primary: choosePrimary(catalog, names), servers: names });
  Object.assign(env, {
    [ENV.authMode]: 'local',
    [ENV.authIssuer]: as.issuer,
    [ENV.authScopePrefix]: LOCAL_SCOPE_PREFIX,
    [ENV.authTokenUrl]: as.tokenUrl,
    [ENV.authClientId]: as.agentClient.id,
    [ENV.authClientSecret]: as.agentClient.secret,
  });
  logger.info(
    { issuer: as.issuer, agentClientId: as.agentClient.id, scopes: [...names, 'agent'].map((n) => scopeOf(LOCAL_SCOPE_PREFIX, n)) },
    `local authorization server at ${as.issuer}: MCP clients discover it from a server's first 401 and register themselves; the development login takes any name`,
  );
  return as;
}

if (require.main === module) {
  runMain(async () => {
    const catalog = serverCatalog();
    const auth = await localAuthorization(process.env, catalog, createLogger('local'));
    // The tool metrics, summed at GET /metrics (Prometheus text), unless asked otherwise.
    process.env[ENV.metrics] ??= 'prometheus';
    const env = readEnv(process.env, catalog);
    // One process: the servers' and the agent's spans under one service name.
    startTracing(env.MCP_TRACING, 'mcp-on-aws-local');
    const state: DrainState = { draining: false };
    const servers: Server[] = [];
    if (auth) servers.push(auth.server);
    drainOnSignals(() => servers, { timeoutMs: env.SHUTDOWN_TIMEOUT_MS, logger: createLogger('local'), state });
    const server = await startServer(state, undefined, env, undefined, catalog);
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    if (!process.env[ENV.servers]) process.env[ENV.servers] = localServersList(servedNames(env.MCP_SERVER, catalog), port);
    servers.push(await startAgent(state));
  });
}
