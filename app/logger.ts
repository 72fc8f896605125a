import pino, { type DestinationStream, type Logger } from 'pino';
import { currentTraceFields } from './observability/tracing';

export type { Logger };

/** Longest string a log field keeps; the rest is cut and counted. */
export const MAX_LOG_FIELD_CHARS = 256;
/** Longest log line written; a longer one is written again with every string cut short. */
export const MAX_LOG_LINE_CHARS = 8 * 1024;

/** `value` cut to `max` characters, saying how many were cut. */
export function capString(value: string, max = MAX_LOG_FIELD_CHARS): string {
  return value.length <= max ? value : `${value.slice(0, max)}…(${value.length - max} more chars)`;
}

/** A copy of `value` with every string cut to `max` characters, arrays and objects to 20 entries, 4 levels deep. */
export function capFields(value: unknown, max = MAX_LOG_FIELD_CHARS, depth = 4): unknown {
  if (typeof value === 'string') return capString(value, max);
  if (!value || typeof value !== 'object') return value;
  if (depth === 0) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => capFields(v, max, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 20)) out[capString(k, 64)] = capFields(v, max, depth - 1);
  return out;
}

/** An error as logged: its type, code, status and message, and a short stack; never a request body it may carry. */
function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return capFields(err);
  const e = err as Error & { code?: unknown; status?: unknown; type?: unknown };
  return {
    type: e.name,
    message: capString(e.message, 1024),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    ...(typeof e.type === 'string' ? { errorType: capString(e.type) } : {}),
    ...(e.stack ? { stack: capString(e.stack, 2048) } : {}),
  };
}

/** The line itself when it is short enough; else the same event with every field cut, marked `truncated`. */
function capLine(line: string): string {
  if (line.length <= MAX_LOG_LINE_CHARS) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return `${JSON.stringify({ msg: capString(line, 1024), truncated: true })}\n`;
  }
  const capped = JSON.stringify({ ...(capFields(parsed, 128, 3) as object), truncated: true });
  if (capped.length <= MAX_LOG_LINE_CHARS) return `${capped}\n`;
  const { level, time, service, msg } = parsed as Record<string, unknown>;
  return `${JSON.stringify(capFields({ level, time, service, msg, truncated: true }, 128, 1))}\n`;
}

/**
 * JSON lines on stdout (or `destination`), one object per event; LOG_LEVEL=silent turns them off.
 * Writes to stdout are asynchronous, so that logging stays off the request's critical path. No line
 * is longer than MAX_LOG_LINE_CHARS, and errors are logged without the bodies they may carry, so that
 * a client cannot make the log much larger than its request count. In a traced process every line
 * written while a span is current carries its trace id (`traceId`, and `xrayTraceId` as X-Ray shows it).
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError },
      hooks: { streamWrite: capLine },
      // In a traced process, the trace of the span current where a line is written (a line that names
      // its request's trace itself keeps it).
      mixin: () => currentTraceFields() ?? {},
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
