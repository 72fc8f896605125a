import { createLogger, type Logger } from '../../app/logger';

export interface CapturedLog {
  logger: Logger;
  /** Every line written, raw, in order. */
  raw: string[];
  /** Every line written, parsed. */
  lines: any[];
  /** The first line (already written or still to come) that `match` accepts. */
  next(match: (line: any) => boolean): Promise<any>;
  clear(): void;
}

/** A logger made by the app's own `createLogger` (same caps, same serializers) that writes into memory. */
export function captureLog(name = 'mcp-server', level = 'debug'): CapturedLog {
  const raw: string[] = [];
  const lines: any[] = [];
  const waiting: { match: (line: any) => boolean; resolve: (line: any) => void }[] = [];
  const write = (s: string) => {
    raw.push(s);
    const line = JSON.parse(s);
    lines.push(line);
    for (const w of [...waiting]) {
      if (!w.match(line)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(line);
    }
  };
  return {
    logger: createLogger(name, level, { write }),
    raw,
    lines,
    next: (match) => {
      const found = lines.find(match);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ match, resolve }));
    },
    clear: () => {
      raw.length = 0;
      lines.length = 0;
    },
  };
}
