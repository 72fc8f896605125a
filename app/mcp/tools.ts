// Tools of a server definition: `defineTool`, and the context its `run` gets.
import { fromJsonSchema, requireScopes, type JsonSchemaType, type LoggingLevel, type McpServer, type ServerContext, type ServerNotifier, type ToolAnnotations } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { PROBE_META_KEY, scopeOf } from '../contract';
import { callToolResult, isToolResult, text, type ToolResult } from './content';
import { inputContext, inputRequiredResult, isInputNeeded, type InputContext, type InputNeeded } from './input';

/** What a server lends the tools, prompts and resources it registers, per request. */
export interface Serving {
  /** Publishes list and resource changes to the server's `subscriptions/listen` streams (2026-07-28). */
  readonly changes: ServerNotifier;
  /** The prefix of the OAuth scopes a tool's `scopes` name (`<prefix>/<scope>`), when the server checks tokens. */
  readonly scopePrefix?: string;
}

/** A tool as the server registers it: see `defineTool`. */
export interface AppTool {
  readonly name: string;
  /** The scopes a call needs besides the server's, by name (see `defineTool`). */
  readonly scopes?: readonly string[];
  register(server: McpServer, serving: Serving): void;
}

/** What a tool's `run` gets besides its arguments. */
export interface ToolContext {
  /**
   * Reports progress to the client (notifications/progress); does nothing when the request carried
   * no progressToken. `progress` should grow from call to call; `total` when it is known.
   */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /**
   * Sends a log message to the client (notifications/message). A 2025-era request gets every
   * message; a 2026-07-28 request only those at or above the level its `_meta` asked for, and none
   * when it asked for none.
   */
  log(level: LoggingLevel, data: unknown): Promise<void>;
  /** Aborted when the client cancels the call or goes away. */
  readonly signal: AbortSignal;
  /** The client's answers to the tool's last `needsInput`, the state it gave with them, the client's capabilities. */
  readonly input: InputContext;
  /** Publishes list and resource changes (see Serving). */
  readonly changes: ServerNotifier;
}

export function toolContext(ctx: ServerContext, serving: Serving): ToolContext {
  const token = ctx.mcpReq._meta?.progressToken;
  return {
    async progress(progress, total, message) {
      if (token === undefined) return;
      await ctx.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) },
      });
    },
    log: (level, data) => ctx.mcpReq.log(level, data),
    signal: ctx.mcpReq.signal,
    input: inputContext(ctx),
    changes: serving.changes,
  };
}

type Output<O> = O extends z.ZodRawShape ? z.output<z.ZodObject<O>> : never;

/** What a tool's `run` may return: its structured output (with an `outputSchema`), a `ToolResult`, or `needsInput`. */
export type ToolReturn<O> = Output<O> | ToolResult<Output<O>> | InputNeeded;

/**
 * Declares a tool with a zod input schema. `run(args, ctx)` returns:
 * - with an `outputSchema`, the structured output: the client gets it as `structuredContent` and as
 *   JSON text, for clients that read only `content`;
 * - `toolResult(content, structured?)`: rich content (text, image, audio, embedded resources,
 *   resource links), with the structured output when there is an `outputSchema`;
 * - `toolError(message)`: a tool error (`isError: true`), as is any error `run` throws;
 * - `needsInput({...})`: input the client must give first (2026-07-28; see app/mcp/input.ts).
 */
export function defineTool<I extends z.ZodRawShape = {}, O extends z.ZodRawShape | undefined = undefined>(def: {
  name: string;
  title: string;
  description: string;
  /** The arguments, as zod schemas by name (none: a tool without arguments). */
  inputSchema?: I;
  /**
   * Instead of `inputSchema`: the arguments' JSON Schema, advertised as written (JSON Schema 2020-12
   * keywords, `x-mcp-header` annotations) and checked by the SDK; `run` gets them untyped.
   */
  inputJsonSchema?: Record<string, unknown>;
  outputSchema?: O;
  annotations?: ToolAnnotations;
  /**
   * OAuth scopes a call needs besides the server's own, by name: `<prefix>/<name>` in tokens. A
   * token without them gets HTTP 403 `insufficient_scope` naming them, before the tool runs. Where
   * the server checks no token, none is needed.
   */
  scopes?: readonly string[];
  /**
   * Arguments the stack's synthetic check calls this tool with, every few minutes (a read-only tool:
   * `annotations.readOnlyHint`). Published in the tool's `_meta` as `mcp-on-aws/probe`.
   */
  probe?: Record<string, unknown>;
  run: (args: z.output<z.ZodObject<I>>, ctx: ToolContext) => ToolReturn<O> | Promise<ToolReturn<O>>;
}): AppTool {
  const badScope = def.scopes?.find((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s));
  if (badScope !== undefined) throw new Error(`tool ${def.name}: scope "${badScope}" must be a scope token (no spaces or quotes)`);
  if (def.inputSchema !== undefined && def.inputJsonSchema !== undefined) {
    throw new Error(`tool ${def.name}: give inputSchema or inputJsonSchema, not both`);
  }
  if (def.probe !== undefined && def.annotations?.readOnlyHint !== true) {
    throw new Error(`tool ${def.name}: a probe is for read-only tools (annotations.readOnlyHint: true); the synthetic check calls it every few minutes`);
  }
  // Built once: the stateless server registers its tools again for every request.
  const config = {
    ...(def.probe !== undefined ? { _meta: { [PROBE_META_KEY]: def.probe } } : {}),
    title: def.title,
    description: def.description,
    inputSchema: def.inputJsonSchema === undefined ? z.object(def.inputSchema ?? ({} as I)) : fromJsonSchema(def.inputJsonSchema as JsonSchemaType),
    ...(def.outputSchema === undefined ? {} : { outputSchema: z.object(def.outputSchema) }),
    annotations: { title: def.title, ...def.annotations },
  };
  const hasOutputSchema = def.outputSchema !== undefined;
  // The output schema's JSON Schema, as the SDK converts it (on the first registration): each
  // per-request server is given it, instead of converting it again on every tools/call.
  let outputSchemaJson: Record<string, unknown> | undefined;
  return {
    name: def.name,
    ...(def.scopes?.length ? { scopes: def.scopes } : {}),
    register(server, serving) {
      const scopes = (def.scopes ?? []).map((name) => scopeOf(serving.scopePrefix, name));
      const registered = server.registerTool(
        def.name,
        scopes.length ? { ...config, scopeChallenge: requireScopes(...(scopes as [string, ...string[]])) } : config,
        // The SDK has validated the arguments against `inputSchema` before this runs, and turns an
        // error thrown here into a tool error result.
        (async (args: z.output<z.ZodObject<I>>, ctx: ServerContext) => {
          const out: unknown = await def.run(args, toolContext(ctx, serving));
          if (isInputNeeded(out)) return inputRequiredResult(out, server);
          if (isToolResult(out)) return callToolResult(out);
          if (!hasOutputSchema) throw new Error(`tool ${def.name} has no outputSchema: return toolResult([...]) or toolError(...)`);
          return { content: [text(JSON.stringify(out))], structuredContent: out as Record<string, unknown> };
        }) as never,
      );
      if (hasOutputSchema) {
        outputSchemaJson ??= registered.outputSchemaJson;
        registered.outputSchemaJson = outputSchemaJson;
      }
    },
  };
}
