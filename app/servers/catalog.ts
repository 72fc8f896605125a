// The MCP servers of this project: one folder each under app/servers/. From source (tsx, the Pulumi
// program, the tests) the folders are read from disk.
import type { ServerDefinition } from '../tools/define';
import { listServerFolders } from './folders';

export interface ServerCatalog {
  /** Every server's name, sorted. */
  readonly names: readonly string[];
  /** A server's definition (its folder's default export). */
  load(name: string): ServerDefinition;
}

export function serverCatalog(): ServerCatalog {
  const names = listServerFolders();
  return {
    names,
    load(name) {
      if (!names.includes(name)) throw new Error(`no server named "${name}" (servers: ${names.join(', ')})`);
      return (require(`./${name}`) as { default: ServerDefinition }).default;
    },
  };
}

/**
 * The server that also answers /mcp and /healthz among `deployed`: the one whose definition says
 * `primary`, else the first by name. Adding a folder never moves it. Two folders marked primary are an error.
 */
export function choosePrimary(catalog: ServerCatalog, deployed: readonly string[]): string {
  const marked = catalog.names.filter((n) => catalog.load(n).primary);
  if (marked.length > 1) throw new Error(`servers ${marked.join(' and ')} both say primary: true; at most one may`);
  const first = [...deployed].sort()[0];
  if (first === undefined) throw new Error('no server to deploy');
  return marked[0] !== undefined && deployed.includes(marked[0]) ? marked[0] : first;
}
