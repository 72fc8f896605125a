// One MCP request as the observability sees it, the same on Express (containers, npm start) and on the
// fetch-shaped app (Lambda): its server span (a child of the context the request carries), what the server
// answered (seen as the server sends it), and at its end the span's outcome and the protocol-error metric.
import { context, trace, type Context, type Span } from '@opentelemetry/api';
import { isInputRequiredResult, type JSONRPCMessage } from '@modelcontextprotocol/server';
import type { ServerDefinition } from '../mcp/define';
import { isMcpMethod } from '../server';
import type { Outcome, ToolMetrics } from './metrics';
import { endSpan, parentContext, startServerSpan, traceFields, type McpRequestFacts, type Tracing } from './tracing';

/** HTTP statuses that are authorization's answers, not protocol errors: a client's first request is a 401 by design. */
const AUTHORIZATION_STATUSES = new Set([401, 403]);

/** The facts of a request body that name a span and its attributes, with names a server does not define left out. */
export function requestFacts(body: unknown, header: (name: string) => string | undefined, def: Pick<ServerDefinition, 'tools' | 'prompts'>): McpRequestFacts {
  const msg = (Array.isArray(body) ? body[0] : body) as { method?: unknown; id?: unknown; params?: Record<string, unknown> } | undefined;
  const raw = typeof msg?.method === 'string' ? msg.method : undefined;
  const method = raw !== undefined && isMcpMethod(raw) ? raw : '_OTHER';
  const params = msg?.params && typeof msg.params === 'object' ? msg.params : {};
  const name = typeof params.name === 'string' ? params.name : undefined;
  const id = msg?.id;
  const facts: McpRequestFacts = {
    method,
    ...(typeof id === 'string' || typeof id === 'number' ? { requestId: id } : {}),
  };
  const version = header('mcp-protocol-version') ?? (method === 'initialize' && typeof params.protocolVersion === 'string' ? params.protocolVersion : undefined);
  if (version) facts.protocolVersion = version.slice(0, 32);
  if (method === 'tools/call' && name !== undefined) {
    facts.toolName = name.slice(0, 128);
    if (def.tools.some((t) => t.name === name)) facts.target = name;
  }
  if (method === 'prompts/get' && name !== undefined) {
    facts.promptName = name.slice(0, 128);
    if ((def.prompts ?? []).some((p) => p.name === name)) facts.target = name;
  }
  if (method === 'resources/read' && typeof params.uri === 'string') facts.resourceUri = params.uri;
  return facts;
}

export interface ExchangeOptions {
  server: string;
  definition: Pick<ServerDefinition, 'tools' | 'prompts'>;
  tracing?: Tracing;
  metrics?: ToolMetrics;
}

/** One MCP request of `server`: start it when its body is parsed, `observe` what the server sends, `end` it when answered. */
export class McpExchange {
  readonly facts: McpRequestFacts;
  readonly span?: Span;
  private readonly context?: Context;
  private readonly requestId: unknown;
  private rpcErrorCode?: number;
  private toolError = false;
  private outcome?: Outcome;
  private readonly started = performance.now();
  private answeredAt?: number;
  private answered = false;
  private pending?: number;
  private ended = false;

  constructor(
    private readonly opts: ExchangeOptions,
    body: unknown,
    header: (name: string) => string | undefined,
  ) {
    this.facts = requestFacts(body, header, opts.definition);
    const msg = (Array.isArray(body) ? body[0] : body) as { id?: unknown; params?: { _meta?: unknown } } | undefined;
    this.requestId = msg?.id;
    if (opts.tracing) {
      this.span = startServerSpan(opts.tracing.tracer, opts.server, this.facts, parentContext(msg?.params?._meta, header));
      this.context = trace.setSpan(context.active(), this.span);
    }
  }

  /** Whether an exchange is worth making: something records it. */
  static wanted(opts: Pick<ExchangeOptions, 'tracing' | 'metrics'>): boolean {
    return opts.tracing !== undefined || opts.metrics !== undefined;
  }

  /** Runs `fn` with the request's span current (when tracing), so that what it does joins the trace. */
  run<T>(fn: () => T): T {
    return this.context ? context.with(this.context, fn) : fn();
  }

  /** A message the server sends: its answer to this request tells the outcome. */
  readonly observe = (message: JSONRPCMessage): void => {
    if (!('id' in message) || message.id !== this.requestId || 'method' in message) return;
    this.answered = true;
    this.answeredAt = performance.now();
    if ('error' in message) {
      this.rpcErrorCode = message.error.code;
    } else {
      const result = message.result as { isError?: unknown } | undefined;
      this.toolError = result?.isError === true;
      this.outcome = this.toolError ? 'tool_error' : isInputRequiredResult(result) ? 'input_required' : 'ok';
    }
    if (this.pending !== undefined) this.finish(this.pending);
  };

  /** The request was answered with JSON-RPC error `code` before the server saw it. */
  refused(code: number): void {
    this.answered = true;
    this.rpcErrorCode = code;
  }

  /**
   * The HTTP answer is `status`. A stream whose last message has not been sent yet (`streaming`) ends
   * the exchange when the server sends it.
   */
  end(status: number, streaming = false): void {
    if (streaming && !this.answered && status < 300) {
      this.pending = status;
      return;
    }
    this.finish(status);
  }

  /** Trace fields for the request's log line. */
  logFields(): ReturnType<typeof traceFields> {
    return traceFields(this.span);
  }

  private finish(status: number): void {
    if (this.ended) return;
    this.ended = true;
    if (this.span) endSpan(this.span, { status, ...(this.rpcErrorCode !== undefined ? { rpcErrorCode: this.rpcErrorCode } : {}), toolError: this.toolError });
    const error = this.rpcErrorCode !== undefined || (status >= 400 && !AUTHORIZATION_STATUSES.has(status));
    if (error) this.opts.metrics?.protocolError?.(this.opts.server, this.facts.method, this.rpcErrorCode, status);
    // A call of a tool the server defines, answered with a result: its outcome (a tool error whether the
    // tool said so, threw, or the SDK refused its arguments) and the time from its arrival to its answer.
    else if (this.facts.method === 'tools/call' && this.facts.target !== undefined && this.outcome !== undefined) {
      this.opts.metrics?.toolCall(this.opts.server, this.facts.target, this.outcome, (this.answeredAt ?? performance.now()) - this.started);
    }
  }
}
