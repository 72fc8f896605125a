// Prompts of a server definition: `definePrompt`, with argument completion.
import { completable, type McpServer, type PromptMessage, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { inputContext, inputRequiredResult, isInputNeeded, type InputContext, type InputNeeded } from './input';
import type { Completer } from './resources';

/** A prompt as the server registers it: see `definePrompt`. */
export interface AppPrompt {
  readonly name: string;
  register(server: McpServer): void;
}

/** What a prompt's `messages` gets besides its arguments. */
export interface PromptContext {
  readonly input: InputContext;
}

/** String arguments, as the protocol passes them: required (`z.string()`) or optional (`z.string().optional()`), described with `.describe()`. */
export type PromptArgs = Record<string, z.ZodString | z.ZodOptional<z.ZodString>>;

type MessagesReturn = PromptMessage[] | InputNeeded;

/** `schema` completed by `complete`, keeping whether it is optional and its description. */
function withCompletion(schema: z.ZodString | z.ZodOptional<z.ZodString>, complete: Completer): z.ZodType {
  const inner = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
  // The SDK's rules: completable() wraps the string itself (described first: a schema derived from
  // the completable one would lose its completion), and .optional() goes outside it.
  const described = schema.description === undefined || inner.description !== undefined ? inner : inner.describe(schema.description);
  const completed = completable(described, async (value, context) => [...(await complete(value ?? '', { arguments: context?.arguments ?? {} }))]);
  return schema instanceof z.ZodOptional ? completed.optional() : completed;
}

/**
 * Declares a prompt whose arguments are strings with a zod schema; `complete` completes the values
 * of some of them (completion/complete). `messages` gives the messages (text, image, embedded
 * resource content: see app/mcp/content.ts), or `needsInput({...})`.
 */
export function definePrompt<A extends PromptArgs>(def: {
  name: string;
  title: string;
  description: string;
  args?: A;
  complete?: { readonly [K in keyof A]?: Completer };
  messages: (args: z.output<z.ZodObject<A>>, ctx: PromptContext) => MessagesReturn | Promise<MessagesReturn>;
}): AppPrompt {
  const args = def.args ?? ({} as A);
  const unknown = Object.keys(def.complete ?? {}).filter((name) => !(name in args));
  if (unknown.length) throw new Error(`prompt ${def.name}: complete names ${unknown.join(', ')}, not arguments of the prompt`);
  // Built once: the stateless server registers its prompts again for every request.
  const shape = Object.fromEntries(
    Object.entries(args).map(([name, schema]) => {
      const complete = def.complete?.[name];
      return [name, complete ? withCompletion(schema, complete) : schema];
    }),
  );
  const config = { title: def.title, description: def.description, ...(def.args === undefined ? {} : { argsSchema: z.object(shape) }) };
  const render = async (server: McpServer, values: z.output<z.ZodObject<A>>, ctx: ServerContext) => {
    const out = await def.messages(values, { input: inputContext(ctx) });
    return isInputNeeded(out) ? inputRequiredResult(out, server) : { messages: out };
  };
  return {
    name: def.name,
    register(server) {
      // Without arguments the SDK calls back with the context alone.
      const callback =
        def.args === undefined
          ? (ctx: ServerContext) => render(server, {} as z.output<z.ZodObject<A>>, ctx)
          : (values: z.output<z.ZodObject<A>>, ctx: ServerContext) => render(server, values, ctx);
      server.registerPrompt(def.name, config, callback as never);
    },
  };
}
