import { createHash } from 'node:crypto';

/** The names Bedrock's Converse API takes for a tool. */
export const BEDROCK_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_LENGTH = 64;
/** Between a server's name and its tool's in a prefixed name. */
export const SERVER_SEPARATOR = '__';

/** A tool as one server offers it. */
export interface ServerTool {
  server: string;
  /** The tool's name on its server. */
  tool: string;
}

/** The key of a (server, tool) pair in the map modelToolNames returns. */
export const toolKey = (server: string, tool: string) => JSON.stringify([server, tool]);

/** `text` with every character Bedrock refuses in a tool name replaced by `_`. */
export const sanitize = (text: string) => text.replace(/[^a-zA-Z0-9_-]/g, '_') || '_';

/** `<server>__<tool>`, both sanitized: the name a tool of a server can always be called by. */
export const prefixedName = (server: string, tool: string) => `${sanitize(server)}${SERVER_SEPARATOR}${sanitize(tool)}`;

const hash = (text: string, length = 8) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** `name` cut to 64 characters: the first 55 and `_` with 8 hex characters of a hash of `key`. */
function fit(name: string, key: string): string {
  return name.length > MAX_LENGTH ? `${name.slice(0, MAX_LENGTH - 9)}_${hash(key)}` : name;
}

/** The keys of `names` that share a name, grouped by name. */
function duplicates(names: Map<string, string>): string[][] {
  const byName = new Map<string, string[]>();
  for (const [key, name] of names) byName.set(name, [...(byName.get(name) ?? []), key]);
  return [...byName.values()].filter((keys) => keys.length > 1);
}

/**
 * The name a model is given for each tool of each server (keyed by toolKey): the tool's own name,
 * sanitized to Bedrock's characters; `<server>__<tool>` for every server offering a name that two or
 * more servers offer (no server keeps the bare name); cut to 64 characters with a hash suffix. Names
 * still alike after that (`a.b` and `a_b` on one server, a tool literally named `cost__x`) are all
 * prefixed, then hashed. The result depends on the set of tools only, not on their order, and every
 * name matches BEDROCK_TOOL_NAME. Replicas of a server are one server: pass each (server, tool) once.
 */
export function modelToolNames(entries: readonly ServerTool[]): Map<string, string> {
  const unique = new Map<string, ServerTool>();
  for (const e of entries) unique.set(toolKey(e.server, e.tool), e);
  const sorted = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  const serversOf = new Map<string, Set<string>>();
  for (const [, e] of sorted) {
    const base = sanitize(e.tool);
    serversOf.set(base, (serversOf.get(base) ?? new Set()).add(e.server));
  }
  const names = new Map<string, string>();
  for (const [key, e] of sorted) {
    const base = sanitize(e.tool);
    names.set(key, fit(serversOf.get(base)!.size > 1 ? prefixedName(e.server, e.tool) : base, key));
  }
  // Names still alike are prefixed, then given a hash of their key, longer each round, until none is alike.
  const level = new Map<string, number>();
  for (let groups = duplicates(names); groups.length; groups = duplicates(names)) {
    for (const key of groups.flat()) {
      const next = (level.get(key) ?? 0) + 1;
      if (next > 7) throw new Error('tool names: could not make the names unique');
      level.set(key, next);
      const { server, tool } = unique.get(key)!;
      const prefixed = prefixedName(server, tool);
      const suffix = `_${hash(key, 8 * (next - 1))}`;
      names.set(key, next === 1 ? fit(prefixed, key) : `${prefixed.slice(0, MAX_LENGTH - suffix.length)}${suffix}`);
    }
  }
  for (const name of names.values()) if (!BEDROCK_TOOL_NAME.test(name)) throw new Error(`tool names: ${JSON.stringify(name)} is not a Bedrock tool name`);
  return names;
}
