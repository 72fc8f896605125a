// The server definition API: what a folder under app/servers/ declares. Tools, resources and
// templates, prompts, completions, cache hints and input from the client, all stateless: the server
// is made afresh for every request (app/server.ts), so everything here is built once, at definition.
import { InMemoryServerEventBus, type CacheHint, type ServerEventBus } from '@modelcontextprotocol/server';
import type { AppPrompt } from './prompts';
import type { AppResource } from './resources';
import type { AppTool } from './tools';

export { audio, embeddedResource, image, resourceLink, text, toolError, toolResult, type Binary, type ContentBlock, type ToolResult } from './content';
export { ask, needsInput, type InputContext, type InputNeeded } from './input';
export { definePrompt, type AppPrompt, type PromptArgs, type PromptContext } from './prompts';
export {
  defineResource,
  defineResourceTemplate,
  type AppResource,
  type Completer,
  type ResourceBody,
  type ResourceContext,
  type TemplateListEntry,
} from './resources';
export { defineTool, type AppTool, type Serving, type ToolContext, type ToolReturn } from './tools';
export type { CacheHint } from '@modelcontextprotocol/server';

/** The 2026-07-28 results that carry cache hints (`ttlMs`, `cacheScope`). */
export const CACHEABLE = ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read', 'server/discover'] as const;
export type Cacheable = (typeof CACHEABLE)[number];
export type CacheHints = Partial<Record<Cacheable, CacheHint>>;

/** A minute: a redeployed server's lists reach clients that cached them within it. */
const LIST_TTL_MS = 60_000;

/**
 * The cache hints a server gets unless it says otherwise. Its lists and what server/discover says are
 * the same for every caller (they come from the definition), so shared caches may keep them; a
 * resource read may depend on the caller, so by default it is not cached (each resource may say otherwise).
 */
export const DEFAULT_CACHE_HINTS: Readonly<Record<Cacheable, CacheHint>> = {
  'tools/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
  'prompts/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
  'resources/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
  'resources/templates/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
  'server/discover': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
  'resources/read': { ttlMs: 0, cacheScope: 'private' },
};

/** Longest ttlMs accepted: a day (clients keep nothing longer). */
export const MAX_TTL_MS = 24 * 60 * 60 * 1000;

/** What is wrong with a cache hint, or undefined. */
function cacheHintProblem(where: string, hint: unknown): string | undefined {
  if (typeof hint !== 'object' || hint === null) return `${where}: a cache hint is an object { ttlMs?, cacheScope? }`;
  const { ttlMs, cacheScope, ...rest } = hint as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) return `${where}: unknown cache hint field ${extra.join(', ')} (ttlMs, cacheScope)`;
  if (ttlMs !== undefined && !(Number.isInteger(ttlMs) && (ttlMs as number) >= 0 && (ttlMs as number) <= MAX_TTL_MS)) {
    return `${where}: ttlMs must be a whole number of milliseconds from 0 to ${MAX_TTL_MS} (got ${String(ttlMs)})`;
  }
  if (cacheScope !== undefined && cacheScope !== 'public' && cacheScope !== 'private') {
    return `${where}: cacheScope must be "public" or "private" (got ${String(cacheScope)})`;
  }
  return undefined;
}

/** One MCP server: a folder under app/servers/ whose index.ts exports `defineServer({...})` as default. */
export interface ServerDefinition {
  readonly title: string;
  /** What the server tells clients it is for (the `instructions` of its initialize result). */
  readonly instructions: string;
  readonly tools: readonly AppTool[];
  /** Fixed resources (`defineResource`) and resource templates (`defineResourceTemplate`). */
  readonly resources?: readonly AppResource[];
  readonly prompts?: readonly AppPrompt[];
  /**
   * Cache hints of its 2026-07-28 results, over DEFAULT_CACHE_HINTS (defineServer fills them in).
   * `public` only for results that are the same whoever asks.
   */
  readonly cacheHints?: CacheHints;
  /**
   * Where its tools publish list and resource changes (`ctx.changes`) for `subscriptions/listen`
   * streams; defineServer makes one. The endpoint serving the server must listen on this bus.
   */
  readonly events?: ServerEventBus;
  /** Also served at /mcp and /healthz, the URLs of a one-server stack; at most one folder may say so. */
  readonly primary?: boolean;
  /** The smallest MAX_BODY_BYTES this server's calls need: a valid call must never meet 413. */
  readonly minBodyBytes?: number;
}

/** A server's definition with its name (its folder's). */
export interface LoadedServer {
  readonly name: string;
  readonly definition: ServerDefinition;
}

/** The names MCP clients accept for a tool (the SEP-986 rule the SDK warns about). */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Declares a server. Refuses, naming each problem: two tools, resources (by URI or by name), or
 * prompts with one name; a tool name clients do not accept; a cache hint that is not one.
 */
export function defineServer(def: ServerDefinition): ServerDefinition {
  const problems: string[] = [];
  const unique = (what: string, keys: readonly string[]) => {
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) problems.push(`two ${what} are named ${key}`);
      seen.add(key);
    }
  };
  const resources = def.resources ?? [];
  unique('tools', def.tools.map((t) => t.name));
  unique('resources (URIs and URI templates)', resources.map((r) => r.uri));
  unique('resources (names)', resources.map((r) => r.name));
  unique('prompts', (def.prompts ?? []).map((p) => p.name));
  for (const tool of def.tools) {
    if (!TOOL_NAME.test(tool.name)) problems.push(`tool name "${tool.name}" must be 1 to 128 of A-Z a-z 0-9 _ . -`);
  }
  if (def.minBodyBytes !== undefined && !(Number.isInteger(def.minBodyBytes) && def.minBodyBytes > 0)) {
    problems.push(`minBodyBytes must be a positive whole number of bytes (got ${def.minBodyBytes})`);
  }
  for (const [method, hint] of Object.entries(def.cacheHints ?? {})) {
    if (!(CACHEABLE as readonly string[]).includes(method)) problems.push(`cacheHints: ${method} is not one of ${CACHEABLE.join(', ')}`);
    else {
      const problem = cacheHintProblem(`cacheHints["${method}"]`, hint);
      if (problem) problems.push(problem);
    }
  }
  for (const resource of resources) {
    const problem = resource.cache === undefined ? undefined : cacheHintProblem(`resource ${resource.name}: cache`, resource.cache);
    if (problem) problems.push(problem);
  }
  if (problems.length) throw new Error(`server "${def.title}": ${problems.join('; ')}`);
  const cacheHints: CacheHints = { ...DEFAULT_CACHE_HINTS };
  for (const [method, hint] of Object.entries(def.cacheHints ?? {}) as [Cacheable, CacheHint][]) {
    cacheHints[method] = { ...DEFAULT_CACHE_HINTS[method], ...hint };
  }
  return { ...def, cacheHints, events: def.events ?? new InMemoryServerEventBus() };
}
