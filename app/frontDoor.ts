// Every server in one process (a container without MCP_SERVER, npm start, the conformance run): each at
// /<name>/mcp and /<name>/healthz, and the primary also at /mcp and /healthz.
import type { Express } from 'express';
import { HEALTH_PATH, MCP_PATH, serverHealthPath, serverMcpPath } from './contract';
import { serveMounts, type AppOptions, type Mount } from './createApp';
import type { LoadedServer } from './mcp/define';
import { choosePrimary, type ServerCatalog } from './servers/catalog';

/** The catalog's servers, loaded: those named in `only` (each must be in the catalog), else every one. */
export function loadServers(catalog: ServerCatalog, only?: readonly string[]): LoadedServer[] {
  return (only ?? catalog.names).map((name) => ({ name, definition: catalog.load(name) }));
}

/** The front door over `servers`; `primary` (default: `choosePrimary`) also answers /mcp and /healthz. */
export function createFrontDoor(servers: readonly LoadedServer[], options: AppOptions = {}, primary?: string): Express {
  if (servers.length === 0) throw new Error('the front door needs at least one server');
  const names = servers.map((s) => s.name);
  const main = primary ?? choosePrimary({ names, load: (n) => servers.find((s) => s.name === n)!.definition }, names);
  if (!names.includes(main)) throw new Error(`primary server "${main}" is not served (servers: ${names.join(', ')})`);
  const mounts: Mount[] = servers.map((server) => ({
    server,
    mcpPaths: server.name === main ? [serverMcpPath(server.name), MCP_PATH] : [serverMcpPath(server.name)],
    healthPaths: server.name === main ? [serverHealthPath(server.name), HEALTH_PATH] : [serverHealthPath(server.name)],
  }));
  const endpoints = names.map((n) => `POST ${serverMcpPath(n)}`).join(', ');
  return serveMounts(mounts, options, `Not found: the MCP endpoints are ${endpoints} (and ${MCP_PATH} for ${main})`);
}
