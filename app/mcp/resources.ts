// Resources of a server definition: fixed resources (`defineResource`) and resource templates
// (`defineResourceTemplate`), text or binary, with cache hints and completion of template variables.
import {
  ResourceTemplate,
  UriTemplate,
  type CacheHint,
  type McpServer,
  type ReadResourceResult,
  type Resource,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { base64 } from './content';
import { inputContext, inputRequiredResult, isInputNeeded, type InputContext, type InputNeeded } from './input';

/** A resource's content: text, or bytes (sent base64 as a `blob`). */
export type ResourceBody = string | Uint8Array;

/** What a resource's `read` gets: the URI read, and the client's input (see `needsInput`). */
export interface ResourceContext {
  readonly uri: URL;
  readonly input: InputContext;
}

type ReadReturn = ResourceBody | InputNeeded;

/** Completes the value of a template variable or prompt argument: the values that start with what the user typed. */
export type Completer = (value: string, context: { arguments: Record<string, string> }) => readonly string[] | Promise<readonly string[]>;

/** A resource or template as the server registers it. */
export interface AppResource {
  /** The resource's URI, or the template's `uriTemplate`. */
  readonly uri: string;
  readonly name: string;
  readonly kind: 'resource' | 'template';
  readonly cache?: CacheHint;
  /** Whether clients may subscribe to its updates (resources/subscribe; subscriptions/listen). */
  readonly subscribable: boolean;
  register(server: McpServer): void;
}

interface ResourceMeta {
  name: string;
  title: string;
  description?: string;
  mimeType: string;
  /**
   * How long a 2026-07-28 client may keep what `read` gives (`ttlMs`), and whether a shared cache may
   * (`cacheScope: 'public'`, only when it does not depend on the caller). Default: the server's
   * `resources/read` hint.
   */
  cache?: CacheHint;
}

async function readResult(
  server: McpServer,
  uri: URL,
  mimeType: string,
  out: ReadReturn,
): Promise<ReadResourceResult | Awaited<ReturnType<typeof inputRequiredResult>>> {
  if (isInputNeeded(out)) return inputRequiredResult(out, server);
  const body = typeof out === 'string' ? { text: out } : { blob: base64(out) };
  return { contents: [{ uri: uri.href, mimeType, ...body }] };
}

function metadata(def: ResourceMeta) {
  return {
    title: def.title,
    ...(def.description === undefined ? {} : { description: def.description }),
    mimeType: def.mimeType,
    ...(def.cache === undefined ? {} : { cacheHint: def.cache }),
  };
}

/** Declares a fixed resource: `read` gives its text or bytes, of type `mimeType`. */
export function defineResource(
  def: ResourceMeta & {
    uri: string;
    /** Clients may subscribe to its updates; the server publishes them with `ctx.changes.resourceUpdated(uri)`. */
    subscribable?: boolean;
    read: (ctx: ResourceContext) => ReadReturn | Promise<ReadReturn>;
  },
): AppResource {
  const meta = metadata(def);
  return {
    uri: def.uri,
    name: def.name,
    kind: 'resource',
    ...(def.cache === undefined ? {} : { cache: def.cache }),
    subscribable: def.subscribable ?? false,
    register(server) {
      server.registerResource(def.name, def.uri, meta, async (uri: URL, ctx: ServerContext) =>
        readResult(server, uri, def.mimeType, await def.read({ uri, input: inputContext(ctx) })),
      );
    },
  };
}

/** An entry of a template's list: a resource the template can read now. */
export type TemplateListEntry = Pick<Resource, 'uri' | 'name'> & Partial<Pick<Resource, 'title' | 'description' | 'mimeType'>>;

/**
 * Declares a resource template (RFC 6570, e.g. `notes://{id}`): `read` gets the URI's variables.
 * `list` names the resources it can read now (listed by resources/list); `complete` completes each
 * variable's value (completion/complete).
 */
export function defineResourceTemplate(
  def: ResourceMeta & {
    uriTemplate: string;
    list?: () => readonly TemplateListEntry[] | Promise<readonly TemplateListEntry[]>;
    complete?: Readonly<Record<string, Completer>>;
    read: (variables: Record<string, string>, ctx: ResourceContext) => ReadReturn | Promise<ReadReturn>;
  },
): AppResource {
  const uriTemplate = new UriTemplate(def.uriTemplate);
  const unknown = Object.keys(def.complete ?? {}).filter((v) => !uriTemplate.variableNames.includes(v));
  if (unknown.length) {
    throw new Error(`resource template ${def.name}: complete names ${unknown.join(', ')}, not variables of ${def.uriTemplate}`);
  }
  const { list, complete = {} } = def;
  // Built once, as the tools' schemas: the template holds no per-request state.
  const template = new ResourceTemplate(uriTemplate, {
    list: list && (async () => ({ resources: (await list()).map((entry) => ({ mimeType: def.mimeType, ...entry })) })),
    complete: Object.fromEntries(
      Object.entries(complete).map(([variable, completer]) => [
        variable,
        async (value: string, context?: { arguments?: Record<string, string> }) => [
          ...(await completer(value, { arguments: context?.arguments ?? {} })),
        ],
      ]),
    ),
  });
  const meta = metadata(def);
  return {
    uri: def.uriTemplate,
    name: def.name,
    kind: 'template',
    ...(def.cache === undefined ? {} : { cache: def.cache }),
    subscribable: false,
    register(server) {
      server.registerResource(def.name, template, meta, async (uri: URL, variables: Record<string, string | string[]>, ctx: ServerContext) => {
        const vars = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
        return readResult(server, uri, def.mimeType, await def.read(vars, { uri, input: inputContext(ctx) }));
      });
    },
  };
}
