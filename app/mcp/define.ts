import type { McpServer, PromptMessage, ToolAnnotations } from '@modelcontextprotocol/server';
import { z } from 'zod';

/** A tool as the server registers it: see `defineTool`. */
export interface AppTool {
  readonly name: string;
  register(server: McpServer): void;
}

/**
 * Declares a tool with zod input and output schemas. `run` returns the structured output; the
 * client gets it both as `structuredContent` and as JSON text, for clients that read only `content`.
 * An error thrown by `run` reaches the client as a tool error result (`isError: true`).
 */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: {
  name: string;
  title: string;
  description: string;
  inputSchema: I;
  outputSchema: O;
  annotations?: ToolAnnotations;
  run: (args: z.output<z.ZodObject<I>>) => z.output<z.ZodObject<O>> | Promise<z.output<z.ZodObject<O>>>;
}): AppTool {
  // Built once: the stateless server registers its tools again for every request.
  const config = {
    title: def.title,
    description: def.description,
    inputSchema: z.object(def.inputSchema),
    outputSchema: z.object(def.outputSchema),
    annotations: { title: def.title, ...def.annotations },
  };
  return {
    name: def.name,
    register(server) {
      server.registerTool(
        def.name,
        config,
        // The SDK has validated the arguments against `inputSchema` before this runs.
        (async (args: z.output<z.ZodObject<I>>) => {
          const output = await def.run(args);
          return {
            content: [{ type: 'text' as const, text: JSON.stringify(output) }],
            structuredContent: output as Record<string, unknown>,
          };
        }) as never,
      );
    },
  };
}

/** A resource as the server registers it: see `defineResource`. */
export interface AppResource {
  readonly uri: string;
  register(server: McpServer): void;
}

/** Declares a fixed resource: `read` gives its text, of type `mimeType`. */
export function defineResource(def: {
  name: string;
  uri: string;
  title: string;
  description: string;
  mimeType: string;
  read: () => string | Promise<string>;
}): AppResource {
  const metadata = { title: def.title, description: def.description, mimeType: def.mimeType };
  return {
    uri: def.uri,
    register(server) {
      server.registerResource(def.name, def.uri, metadata, async (uri) => ({
        contents: [{ uri: uri.href, mimeType: def.mimeType, text: await def.read() }],
      }));
    },
  };
}

/** A prompt as the server registers it: see `definePrompt`. */
export interface AppPrompt {
  readonly name: string;
  register(server: McpServer): void;
}

/** Declares a prompt whose arguments have a zod schema (strings, as the protocol passes them). */
export function definePrompt<A extends z.ZodRawShape>(def: {
  name: string;
  title: string;
  description: string;
  args: A;
  messages: (args: z.output<z.ZodObject<A>>) => PromptMessage[];
}): AppPrompt {
  const config = { title: def.title, description: def.description, argsSchema: z.object(def.args) };
  return {
    name: def.name,
    register(server) {
      server.registerPrompt(def.name, config, ((args: z.output<z.ZodObject<A>>) => ({ messages: def.messages(args) })) as never);
    },
  };
}

/** One MCP server: a folder under app/servers/ whose index.ts exports `defineServer({...})` as default. */
export interface ServerDefinition {
  readonly title: string;
  /** What the server tells clients it is for (the `instructions` of its initialize result). */
  readonly instructions: string;
  readonly tools: readonly AppTool[];
  readonly resources?: readonly AppResource[];
  readonly prompts?: readonly AppPrompt[];
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

/** Declares a server: its tool names must be unique and 1 to 128 of A-Z a-z 0-9 _ . - ; so must its resource URIs and prompt names. */
export function defineServer(def: ServerDefinition): ServerDefinition {
  const problems: string[] = [];
  const unique = (what: string, keys: readonly string[]) => {
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) problems.push(`two ${what} are named ${key}`);
      seen.add(key);
    }
  };
  unique('tools', def.tools.map((t) => t.name));
  unique('resources', (def.resources ?? []).map((r) => r.uri));
  unique('prompts', (def.prompts ?? []).map((p) => p.name));
  for (const tool of def.tools) {
    if (!TOOL_NAME.test(tool.name)) problems.push(`tool name "${tool.name}" must be 1 to 128 of A-Z a-z 0-9 _ . -`);
  }
  if (def.minBodyBytes !== undefined && !(Number.isInteger(def.minBodyBytes) && def.minBodyBytes > 0)) {
    problems.push(`minBodyBytes must be a positive whole number of bytes (got ${def.minBodyBytes})`);
  }
  if (problems.length) throw new Error(`server "${def.title}": ${problems.join('; ')}`);
  return def;
}
