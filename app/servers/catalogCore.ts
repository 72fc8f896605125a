// The part of the catalog that does not depend on how the folders are found, shared by the source form
// (app/servers/catalog.ts, which reads the folders from disk) and the form the bundler generates
// (scripts/bundles.ts, a static table of lazy requires).
import type { ServerDefinition } from '../mcp/define';

export interface ServerCatalog {
  /** Every server's name, sorted. */
  readonly names: readonly string[];
  /** A server's definition (its folder's default export). */
  load(name: string): ServerDefinition;
}

/** A catalog over loaders by name: a server's module runs when it is first loaded, not before. */
export function catalogFrom(loaders: Readonly<Record<string, () => ServerDefinition>>): ServerCatalog {
  const names = Object.keys(loaders).sort();
  return {
    names,
    load(name) {
      if (!Object.hasOwn(loaders, name)) throw new Error(`no server named "${name}" (servers: ${names.join(', ')})`);
      return loaders[name]!();
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
