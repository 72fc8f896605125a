import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { injectHeaders } from '../observability/tracing';
import { TokenUnavailableError } from './token';
import type { McpEndpoint } from './resolver';

/** Largest response body the agent reads from an MCP server, by default: 4 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Deepest nesting of tool arguments the agent forwards. */
export const MAX_ARGUMENT_DEPTH = 64;
/** Longest upstream message (a JSON-RPC error's) passed on to a caller. */
const MAX_MESSAGE_CHARS = 200;

/** An upstream message as a caller may see it: one line, printable, capped. */
export function sanitizeMessage(text: string, max = MAX_MESSAGE_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}… (${line.length - max} more characters not shown)` : line;
}

/** A server was reached but its answer is unusable (HTTP error status, too large, not MCP). The caller gets a 502. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    readonly endpoint: McpEndpoint,
    summary: string,
  ) {
    super(`MCP server ${endpoint.url} failed: ${summary}`);
  }
}

/** A server's answer grew past the agent's limit; reading it was stopped. */
export class ResponseTooLargeError extends UpstreamError {
  override name = 'ResponseTooLargeError';
  constructor(
    endpoint: McpEndpoint,
    readonly limit: number,
  ) {
    super(endpoint, `response larger than the limit of ${limit} bytes (MAX_RESPONSE_BYTES); reading stopped`);
  }
}

/** The whole operation on a server (connect, request, reading and parsing the answer) outlasted the call timeout. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError';
  constructor(
    readonly endpoint: McpEndpoint,
    readonly timeoutMs: number,
  ) {
    super(`MCP server ${endpoint.url} did not answer within CALL_TIMEOUT_MS (${timeoutMs} ms)`);
  }
}

/** The tool's arguments are refused before any server is asked. The caller gets a 400. */
export class InvalidArgumentsError extends Error {
  override readonly name = 'InvalidArgumentsError';
}

/** A network failure talking to a server (refused, reset, DNS): the only kind that marks it unreachable. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(cause: unknown) {
    const code = (cause as { cause?: { code?: unknown } })?.cause?.code ?? (cause as { code?: unknown })?.code;
    super(typeof code === 'string' ? `connection failed (${sanitizeMessage(code, 40)})` : 'connection failed', { cause });
  }
}

/** Throws InvalidArgumentsError when `value` nests deeper than `max` (counted without recursion). */
export function assertDepth(value: unknown, max = MAX_ARGUMENT_DEPTH): void {
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 0 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d >= max) throw new InvalidArgumentsError(`Arguments nest deeper than ${max} levels`);
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push({ v: child, d: d + 1 });
  }
}

/**
 * A fetch for the SDK's client transport that reads at most `maxBytes` of each response body and
 * reports network failures as ConnectionError. Past the limit, the body is cancelled and `onFailure`
 * is told, so that a caller waiting on a stream that never ends is answered at once.
 */
export function boundedFetch(opts: {
  maxBytes: number;
  signal: AbortSignal;
  endpoint: McpEndpoint;
  onFailure: (err: Error) => void;
  /** Sends the current trace context in each request's headers (traceparent, X-Amzn-Trace-Id). */
  traced?: boolean;
}): typeof fetch {
  return async (input, init) => {
    const signal = init?.signal ? AbortSignal.any([init.signal, opts.signal]) : opts.signal;
    let headers = init?.headers;
    if (opts.traced) {
      const traced = new Headers(init?.headers);
      injectHeaders(traced);
      headers = traced;
    }
    let response: Response;
    try {
      response = await fetch(input, { ...init, ...(headers ? { headers } : {}), signal });
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      throw new ConnectionError(err);
    }
    if (!response.body) return response;
    const reader = response.body.getReader();
    let read = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (err) {
          // Stopped by the caller (the SDK lets go of a response, on close say): not the server's failure.
          if (signal.aborted) {
            controller.error(signal.reason ?? err);
            return;
          }
          const failure = new ConnectionError(err);
          opts.onFailure(failure);
          controller.error(failure);
          return;
        }
        if (chunk.done) {
          controller.close();
          return;
        }
        read += chunk.value.byteLength;
        if (read > opts.maxBytes) {
          const failure = new ResponseTooLargeError(opts.endpoint, opts.maxBytes);
          opts.onFailure(failure);
          controller.error(failure);
          await reader.cancel(failure).catch(() => undefined);
          return;
        }
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** A server's JSON-RPC error as a caller may see it: its code and its message, on one capped line. */
export function protocolErrorText(err: ProtocolError): string {
  return sanitizeMessage(`MCP error ${err.code}: ${err.message}`);
}

/**
 * The failure under an SDK error that wraps another: the version-negotiation probe reports a network
 * failure (a ConnectionError from boundedFetch) inside its own SdkError.
 */
function underlying(err: unknown): unknown {
  return err instanceof SdkError && err.code === SdkErrorCode.EraNegotiationFailed && !(err instanceof SdkHttpError) && err.cause !== undefined ? err.cause : err;
}

/** Failures already summarized (the servers GET /tools could not ask), passed on as they are. */
export class SummarizedFailures extends Error {
  override readonly name = 'SummarizedFailures';
}

/** What a caller may learn of a server's failure: never its body, only a status, a code and a capped message. */
export function summarize(err: unknown): string {
  // The agent's own token that could not be had, wherever the SDK wrapped it: say why.
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof TokenUnavailableError || e instanceof SummarizedFailures) return e.message;
  err = underlying(err);
  if (err instanceof SdkHttpError) return `answered HTTP ${err.status}`;
  if (err instanceof SdkError && err.code === SdkErrorCode.ClientHttpUnexpectedContent) return 'answered with an unexpected content type';
  if (err instanceof ProtocolError) return protocolErrorText(err);
  if (err instanceof ConnectionError || err instanceof UpstreamError || err instanceof CallTimeoutError) return err.message;
  if (isUpstreamFault(err)) return 'answered with an invalid MCP message';
  return 'failed';
}

/** Whether an SDK error means the HTTP exchange did not reach a working server (a gateway's 502-504 included). */
export function isUnreachable(err: unknown): boolean {
  err = underlying(err);
  if (err instanceof ConnectionError) return true;
  if (err instanceof SdkHttpError) return [502, 503, 504].includes(err.status);
  return err instanceof SdkError && err.code === SdkErrorCode.ConnectionClosed;
}

/** Whether an error means a server was reached but its answer is unusable (an HTTP error, not MCP, not JSON). */
export function isUpstreamFault(err: unknown): boolean {
  err = underlying(err);
  if (err instanceof SdkHttpError) return true;
  if (err instanceof SdkError) {
    return [SdkErrorCode.ClientHttpUnexpectedContent, SdkErrorCode.InvalidResult, SdkErrorCode.EraNegotiationFailed, SdkErrorCode.UnsupportedResultType].includes(err.code);
  }
  return err instanceof SyntaxError || (err instanceof Error && err.name === 'ZodError');
}
