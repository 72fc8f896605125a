// Traces, the same on every target: one span per MCP request a server serves, and one per call the agent
// makes to a server, following OpenTelemetry's semantic conventions for MCP (span `{mcp.method.name}
// {target}`, `mcp.method.name`, `gen_ai.tool.name`, `jsonrpc.request.id`, `mcp.protocol.version`,
// `error.type`). The context comes from the request's `params._meta` (traceparent, tracestate), else its
// HTTP headers (W3C traceparent, or X-Ray's X-Amzn-Trace-Id), else on Lambda the invocation's X-Ray trace.
// Spans go by OTLP/HTTP to a collector (the ADOT Lambda layer, or a sidecar on Fargate and EKS, which send
// them to X-Ray), or to stdout locally. Trace ids are X-Ray's (time-prefixed), so X-Ray takes them as they are.
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';

/** How spans leave the process: `otlp` (OTLP/HTTP to a collector: deployed stacks), `console` (stdout), `off`. */
export type TracingMode = 'otlp' | 'console' | 'off';
export const TRACING_MODES = ['otlp', 'console', 'off'] as const;

/** The tracer's name (the instrumentation scope). */
export const TRACER_NAME = 'mcp-on-aws';

/** The attributes the spans carry (OpenTelemetry semantic conventions for MCP, and this project's). */
export const ATTR = {
  method: 'mcp.method.name',
  protocolVersion: 'mcp.protocol.version',
  sessionId: 'mcp.session.id',
  resourceUri: 'mcp.resource.uri',
  requestId: 'jsonrpc.request.id',
  rpcStatus: 'rpc.response.status_code',
  tool: 'gen_ai.tool.name',
  prompt: 'gen_ai.prompt.name',
  operation: 'gen_ai.operation.name',
  errorType: 'error.type',
  httpStatus: 'http.response.status_code',
  transport: 'network.transport',
  protocolName: 'network.protocol.name',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  /** The MCP server (its folder under app/servers/) that served or was called. */
  server: 'mcp_on_aws.server',
} as const;

/** The span attributes X-Ray indexes (annotations), so that traces can be searched by them. */
export const INDEXED_ATTRIBUTES = [ATTR.method, ATTR.tool, ATTR.errorType, ATTR.server] as const;

/** error.type of a call whose result says `isError: true` (the conventions' value). */
export const TOOL_ERROR = 'tool_error';

export interface Tracing {
  readonly tracer: Tracer;
  /** Sends the spans that have ended (Lambda: before the invocation returns, since the environment is then frozen). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let installed: { mode: TracingMode; tracing: Tracing } | undefined;

/**
 * Starts tracing for this process (once: `npm start` runs the servers and the agent in one process):
 * the OpenTelemetry SDK with X-Ray trace ids, W3C and X-Ray propagation, the AsyncLocalStorage context
 * manager (a span is current across awaits), and an exporter per `mode`. OTLP goes to
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318), batched
 * every OTEL_BSP_SCHEDULE_DELAY ms (default 1000). Undefined when `mode` is off.
 */
export function startTracing(mode: TracingMode | undefined, serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!mode || mode === 'off') return undefined;
  if (installed) return installed.tracing;
  // Loaded here: a process that does not trace never evaluates the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { CompositePropagator, W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { AWSXRayPropagator } = require('@opentelemetry/propagator-aws-xray') as typeof import('@opentelemetry/propagator-aws-xray');
  const { AWSXRayIdGenerator } = require('@opentelemetry/id-generator-aws-xray') as typeof import('@opentelemetry/id-generator-aws-xray');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY ?? 1000);
  const processor =
    mode === 'console'
      ? new sdk.SimpleSpanProcessor({ exporter: new sdk.ConsoleSpanExporter() })
      : new sdk.BatchSpanProcessor({ exporter: otlpExporter(), scheduledDelayMillis: Number.isFinite(delay) && delay >= 0 ? delay : 1000 });
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || serviceName }),
    idGenerator: new AWSXRayIdGenerator(),
    spanProcessors: [processor],
    sampler: samplerFrom(sdk, env),
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // The last propagator that finds a context wins: W3C's, then X-Ray's.
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new AWSXRayPropagator(), new W3CTraceContextPropagator()] }));
  trace.setGlobalTracerProvider(provider);
  const tracing: Tracing = {
    tracer: trace.getTracer(TRACER_NAME),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  installed = { mode, tracing };
  return tracing;
}

/**
 * Which traces are recorded: a request continues its parent's decision (a client's traceparent, Lambda's
 * X-Ray segment); one that starts a trace is recorded with the probability OTEL_TRACES_SAMPLER_ARG gives
 * when OTEL_TRACES_SAMPLER is parentbased_traceidratio (the OpenTelemetry variables), else always.
 */
function samplerFrom(sdk: typeof import('@opentelemetry/sdk-trace'), env: NodeJS.ProcessEnv) {
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? 1);
  const root =
    env.OTEL_TRACES_SAMPLER === 'parentbased_traceidratio' && Number.isFinite(ratio) && ratio >= 0 && ratio < 1
      ? new sdk.TraceIdRatioBasedSampler(ratio)
      : new sdk.AlwaysOnSampler();
  return new sdk.ParentBasedSampler({ root });
}

function otlpExporter() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  // It reads OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT itself.
  return new OTLPTraceExporter();
}

/** The trace id of `span` (W3C form) and as X-Ray writes it (`1-<8 hex>-<24 hex>`), for log lines. */
export function traceFields(span: Span | undefined): { traceId: string; spanId: string; xrayTraceId: string } | undefined {
  const ctx = span?.spanContext();
  if (!ctx || !trace.isSpanContextValid(ctx)) return undefined;
  return { traceId: ctx.traceId, spanId: ctx.spanId, xrayTraceId: `1-${ctx.traceId.slice(0, 8)}-${ctx.traceId.slice(8)}` };
}

/** The trace fields of the span current where this runs (a tracing process; else none). */
export function currentTraceFields(): { traceId: string; spanId: string; xrayTraceId: string } | undefined {
  return traceFields(trace.getSpan(context.active()));
}

const recordGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

const headerGetter: TextMapGetter<(name: string) => string | undefined> = {
  keys: () => [],
  get: (carrier, key) => carrier(key.toLowerCase()),
};

const hasSpan = (ctx: Context) => {
  const sc = trace.getSpanContext(ctx);
  return sc !== undefined && trace.isSpanContextValid(sc);
};

/**
 * The context a request's span continues: its `params._meta` (traceparent, tracestate: what the MCP
 * conventions say to propagate), else its HTTP headers, else on Lambda the invocation's X-Ray trace
 * (_X_AMZN_TRACE_ID), else none.
 */
export function parentContext(meta: unknown, header: (name: string) => string | undefined, env: NodeJS.ProcessEnv = process.env): Context {
  if (meta && typeof meta === 'object' && !Array.isArray(meta)) {
    const fromMeta = propagation.extract(ROOT_CONTEXT, meta as Record<string, unknown>, recordGetter);
    if (hasSpan(fromMeta)) return fromMeta;
  }
  const fromHeaders = propagation.extract(ROOT_CONTEXT, header, headerGetter);
  if (hasSpan(fromHeaders)) return fromHeaders;
  const lambda = env._X_AMZN_TRACE_ID;
  if (lambda) return propagation.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': lambda }, recordGetter);
  return ROOT_CONTEXT;
}

/** The fields of `_meta` that carry the current context (traceparent, tracestate, and X-Ray's header). */
export function metaCarrier(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** Adds the current context's propagation headers to `headers`. */
export function injectHeaders(headers: Headers, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, { set: (h, k, v) => h.set(k, v) });
}

/** What a span's name and attributes say of one JSON-RPC request. */
export interface McpRequestFacts {
  /** The JSON-RPC method, when it is one MCP defines; else `_OTHER` (the conventions' value for an unknown method). */
  method: string;
  /** The tool or prompt it names, when the server defines it (span names stay few whatever clients send). */
  target?: string;
  requestId?: string | number;
  protocolVersion?: string;
  resourceUri?: string;
  toolName?: string;
  promptName?: string;
}

/** `{mcp.method.name} {target}`, or the method alone. */
export const spanName = (facts: Pick<McpRequestFacts, 'method' | 'target'>) => (facts.target ? `${facts.method} ${facts.target}` : facts.method);

/** The attributes of a span about `facts`, served by or sent to `server`. */
export function requestAttributes(server: string, facts: McpRequestFacts): Record<string, string | number> {
  return {
    [ATTR.method]: facts.method,
    [ATTR.server]: server,
    [ATTR.transport]: 'tcp',
    [ATTR.protocolName]: 'http',
    ...(facts.requestId !== undefined ? { [ATTR.requestId]: String(facts.requestId) } : {}),
    ...(facts.protocolVersion ? { [ATTR.protocolVersion]: facts.protocolVersion } : {}),
    ...(facts.toolName !== undefined ? { [ATTR.tool]: facts.toolName, [ATTR.operation]: 'execute_tool' } : {}),
    ...(facts.promptName !== undefined ? { [ATTR.prompt]: facts.promptName } : {}),
    ...(facts.resourceUri !== undefined ? { [ATTR.resourceUri]: facts.resourceUri.slice(0, 256) } : {}),
  };
}

/** How an MCP exchange ended, for its span. */
export interface McpEnding {
  /** The HTTP status answered. */
  status?: number;
  /** The JSON-RPC error code the request was answered with. */
  rpcErrorCode?: number;
  /** The tool's result said `isError: true`. */
  toolError?: boolean;
  /** Something failed before an answer (the client went away, the connection broke). */
  error?: string;
}

/** Sets the outcome attributes of `span` and ends it. */
export function endSpan(span: Span, ending: McpEnding): void {
  if (ending.status !== undefined) span.setAttribute(ATTR.httpStatus, ending.status);
  let errorType: string | undefined;
  if (ending.rpcErrorCode !== undefined) {
    span.setAttribute(ATTR.rpcStatus, String(ending.rpcErrorCode));
    errorType = String(ending.rpcErrorCode);
  } else if (ending.toolError) {
    errorType = TOOL_ERROR;
  } else if (ending.error) {
    errorType = ending.error;
  } else if (ending.status !== undefined && ending.status >= 400) {
    errorType = String(ending.status);
  }
  if (errorType !== undefined) {
    span.setAttribute(ATTR.errorType, errorType);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Starts the server span of one MCP request of `server`, as a child of `parent`. */
export function startServerSpan(tracer: Tracer, server: string, facts: McpRequestFacts, parent: Context): Span {
  return tracer.startSpan(spanName(facts), { kind: SpanKind.SERVER, attributes: requestAttributes(server, facts) }, parent);
}

/**
 * Runs `fn` in a client span (an MCP request the agent sends to `server` at `url`), current while it
 * runs, so that the request carries it (in `_meta` and its headers). Ends it with what `fn` answered.
 */
export async function inClientSpan<T>(
  tracer: Tracer | undefined,
  server: string,
  url: string,
  facts: McpRequestFacts,
  fn: () => Promise<T>,
  ending: (value: T) => McpEnding = () => ({}),
): Promise<T> {
  if (!tracer) return fn();
  const { hostname, port, protocol } = new URL(url);
  const span = tracer.startSpan(spanName(facts), {
    kind: SpanKind.CLIENT,
    attributes: { ...requestAttributes(server, facts), [ATTR.serverAddress]: hostname, [ATTR.serverPort]: Number(port || (protocol === 'https:' ? 443 : 80)) },
  });
  try {
    const value = await context.with(trace.setSpan(context.active(), span), fn);
    endSpan(span, ending(value));
    return value;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    endSpan(span, typeof code === 'number' ? { rpcErrorCode: code } : { error: err instanceof Error ? err.name : 'Error' });
    throw err;
  }
}

/** Sends the spans that have ended, when tracing is on (a Lambda function, before its invocation returns). */
export async function flushTraces(): Promise<void> {
  await installed?.tracing.flush().catch(() => undefined);
}

/** The tracer of this process when tracing is on, else undefined. */
export function activeTracer(): Tracer | undefined {
  return installed?.tracing.tracer;
}
