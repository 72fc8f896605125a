// The servers of app/servers/, loaded as the app loads them, for tests that serve one.
import type { LoadedServer } from '../../app/createApp';
import { defineServer } from '../../app/mcp/define';
import { serverCatalog } from '../../app/servers/catalog';

export const catalog = serverCatalog();

/** Server `name` of the catalog, loaded. */
export const loadServer = (name: string): LoadedServer => ({ name, definition: catalog.load(name) });

export const cost = loadServer('cost');
export const text = loadServer('text');

/**
 * Every server's tools at one endpoint: for tests of a client that reaches a single URL (the agent
 * with one server) and needs tools of both.
 */
export const allTools: LoadedServer = {
  name: 'all',
  definition: defineServer({
    title: 'All tools',
    instructions: 'Every tool of the project, for tests.',
    tools: [...cost.definition.tools, ...text.definition.tools],
    minBodyBytes: Math.max(cost.definition.minBodyBytes ?? 0, text.definition.minBodyBytes ?? 0),
  }),
};
