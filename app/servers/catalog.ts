// The MCP servers of this project: one folder each under app/servers/. From source (tsx, the Pulumi
// program, the tests) the folders are read from disk; the bundles replace this file with a table of
// their servers (serversCatalogPlugin in scripts/bundles.ts), so it must export what that table exports.
import type { ServerDefinition } from '../mcp/define';
import { catalogFrom, type ServerCatalog } from './catalogCore';
import { listServerFolders } from './folders';

export { catalogFrom, choosePrimary, type ServerCatalog } from './catalogCore';

export function serverCatalog(): ServerCatalog {
  const loaders: Record<string, () => ServerDefinition> = {};
  for (const name of listServerFolders()) loaders[name] = () => (require(`./${name}`) as { default: ServerDefinition }).default;
  return catalogFrom(loaders);
}
