import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout, one object per event; LOG_LEVEL=silent turns them off. */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime });
}
