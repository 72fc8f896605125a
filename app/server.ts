import {
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  specTypeSchemas,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type Transport,
  type ServerEventBus,
  type ServerNotifier,
} from '@modelcontextprotocol/server';
import { DEFAULT_CACHE_HINTS, type ServerDefinition } from './mcp/define';
import { requestStateOptions, servesRequestStateOf } from './mcp/input';
import { capString } from './logger';
import { APP_NAME, APP_VERSION } from './version';

/** Changes published where nobody listens: a definition not made by defineServer has no bus. */
const NO_LISTENER: ServerNotifier = { toolsChanged() {}, promptsChanged() {}, resourcesChanged() {}, resourceUpdated() {} };
const notifiers = new WeakMap<ServerEventBus, ServerNotifier>();

/** The notifier over a definition's bus (the SDK's handler.notify, which it does not export for a bus of one's own). */
function changesOf(def: ServerDefinition): ServerNotifier {
  const bus = def.events;
  if (!bus) return NO_LISTENER;
  let notifier = notifiers.get(bus);
  if (!notifier) {
    notifier = {
      toolsChanged: () => bus.publish({ kind: 'tools_list_changed' }),
      promptsChanged: () => bus.publish({ kind: 'prompts_list_changed' }),
      resourcesChanged: () => bus.publish({ kind: 'resources_list_changed' }),
      resourceUpdated: (uri) => bus.publish({ kind: 'resource_updated', uri }),
    };
    notifiers.set(bus, notifier);
  }
  return notifier;
}

/**
 * The MCP server `name` (its folder under app/servers/): the tools, resources and prompts of its
 * definition. One is made for every request, whatever the protocol revision the request speaks.
 * `changes: false` advertises no list changes and no subscriptions: what a 2026-07-28 request gets
 * from an endpoint behind a buffering gateway, which serves no `subscriptions/listen`.
 */
export function createMcpServer(
  name: string,
  def: ServerDefinition,
  options: { changes?: boolean; scopePrefix?: string; observe?: (message: JSONRPCMessage) => void } = {},
): McpServer {
  const changes = options.changes ?? true;
  const subscribable = new Set((def.resources ?? []).filter((r) => r.subscribable).map((r) => r.uri));
  const server = new McpServer(
    { name: `${APP_NAME}-${name}`, version: APP_VERSION },
    {
      instructions: def.instructions,
      // Logging: a tool's ctx.log reaches 2025-era clients (and 2026-07-28 ones that ask for a level).
      capabilities: { logging: {}, ...(subscribable.size && changes ? { resources: { subscribe: true } } : {}) },
      cacheHints: def.cacheHints ?? DEFAULT_CACHE_HINTS,
      // A multi-round-trip request's state is checked before its handler runs: tampered or expired, -32602.
      requestState: requestStateOptions(name),
    },
  );
  servesRequestStateOf(server, name);
  const serving = { changes: changesOf(def), scopePrefix: options.scopePrefix };
  for (const tool of def.tools) tool.register(server, serving);
  for (const resource of def.resources ?? []) resource.register(server);
  for (const prompt of def.prompts ?? []) prompt.register(server);
  if (!changes) {
    const unchanging = { listChanged: false };
    server.server.registerCapabilities({ tools: unchanging, prompts: unchanging, resources: { ...unchanging, subscribe: false } });
  }
  if (subscribable.size) {
    // 2025-era subscriptions: accepted for the resources that say they may change. This stateless
    // endpoint keeps no session and serves no GET stream, so no update ever reaches a 2025-era
    // client; 2026-07-28 clients get them on subscriptions/listen.
    const check = (uri: string) => {
      if (!subscribable.has(uri)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Resource ${uri} cannot be subscribed to`);
      return {};
    };
    server.server.setRequestHandler('resources/subscribe', (request) => check(request.params.uri));
    server.server.setRequestHandler('resources/unsubscribe', (request) => check(request.params.uri));
  }
  if (options.observe) observeSent(server, options.observe);
  return server;
}

/** Calls `observe` with every message `server` sends on the transports it is connected to (its answers included). */
function observeSent(server: McpServer, observe: (message: JSONRPCMessage) => void): void {
  const connect = server.connect.bind(server);
  server.connect = (transport: Transport) => {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      observe(message);
      return send(message, options);
    };
    return connect(transport);
  };
}

type RequestSchema = {
  shape: { method: { value: string } };
  safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
};

/** The SDK's schema of each request a client may send (2025 and 2026-07-28 methods), by method. */
const REQUEST_SCHEMAS = new Map<string, RequestSchema>(
  (specTypeSchemas.ClientRequest as unknown as { options: RequestSchema[] }).options.map((schema) => [schema.shape.method.value, schema]),
);

/** The notifications a client may send, by method. */
const CLIENT_NOTIFICATIONS = new Set<string>(
  (specTypeSchemas.ClientNotification as unknown as { options: RequestSchema[] }).options.map((schema) => schema.shape.method.value),
);

/** Whether `method` is one MCP defines for a client to send (a request or a notification, of any revision). */
export const isMcpMethod = (method: string): boolean => REQUEST_SCHEMAS.has(method) || CLIENT_NOTIFICATIONS.has(method);

/**
 * What is wrong with a request's params, in one line, or undefined when they have the shape its
 * method requires (or the method is not one the SDK knows, which it answers itself).
 */
export function invalidParams(request: Pick<JSONRPCRequest, 'method' | 'params'>): string | undefined {
  const result = REQUEST_SCHEMAS.get(request.method)?.safeParse({ method: request.method, params: request.params });
  if (!result || result.success) return undefined;
  const problems = (result.error?.issues ?? []).map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path || 'params'}: ${issue.message}`;
  });
  return capString(`Invalid params for ${request.method}: ${problems.join('; ')}`, 300);
}
