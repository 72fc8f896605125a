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
