import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout, one object per event; LOG_LEVEL=silent turns them off. Writes are
 * asynchronous, so that logging stays off the request's critical path.
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  const destination = pino.destination({ dest: 1, sync: false });
  return pino({ name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
