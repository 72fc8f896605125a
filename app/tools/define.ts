import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
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

/** One MCP server: a folder under app/servers/ whose index.ts exports `defineServer({...})` as default. */
export interface ServerDefinition {
  readonly title: string;
  /** What the server tells clients it is for (the `instructions` of its initialize result). */
  readonly instructions: string;
  readonly tools: readonly AppTool[];
  /** Also served at /mcp and /healthz, the URLs of a one-server stack; at most one folder may say so. */
  readonly primary?: boolean;
}

/** Declares a server; its tool names must be unique. */
export function defineServer(def: ServerDefinition): ServerDefinition {
  const seen = new Set<string>();
  for (const tool of def.tools) {
    if (seen.has(tool.name)) throw new Error(`server "${def.title}": two tools are named ${tool.name}`);
    seen.add(tool.name);
  }
  return def;
}
