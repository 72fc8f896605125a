// `npm start` (app/local.ts) as a child process on free ports, for the tests that run it whole.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface LocalRun {
  child: ChildProcess;
  /** Once the servers and the agent listen: the primary's /mcp URL, the agent's URL, and every server's URL. */
  ready: Promise<{ mcp: string; agent: string; servers: Record<string, string>; issuer?: string }>;
  /** Every JSON line it has written on stdout so far (log lines, and EMF lines when MCP_METRICS=emf). */
  lines: Record<string, unknown>[];
}

/** Starts app/local.ts in `cwd`. Kill it in an `after`/`afterEach` hook (`kill`), so that a failed or timed-out test leaves nothing running. */
export function startLocal(cwd: string, env: Record<string, string> = {}): LocalRun {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'app/local.ts'], {
    cwd,
    env: { ...process.env, PORT: '0', AGENT_PORT: '0', LOG_LEVEL: 'info', MCP_SERVERS: '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const ready = new Promise<{ mcp: string; agent: string; servers: Record<string, string>; issuer?: string }>((resolve, reject) => {
    let issuer: string | undefined;
    let mcp: string | undefined;
    let agent: string | undefined;
    let servers: Record<string, string> = {};
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, any>;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      lines.push(entry);
      if (entry.msg === 'MCP server listening') ({ url: mcp, servers } = entry);
      if (entry.msg === 'agent listening') agent = entry.url;
      if (typeof entry.issuer === 'string') issuer = entry.issuer;
      if (mcp && agent) resolve({ mcp, agent, servers, ...(issuer ? { issuer } : {}) });
    });
    child.once('exit', (code) => reject(new Error(`app/local.ts exited with ${code}`)));
  });
  return { child, ready, lines };
}

/** Sends SIGTERM and answers the exit code. */
export async function stopLocal(run: LocalRun): Promise<number | null> {
  if (run.child.exitCode !== null) return run.child.exitCode;
  run.child.kill('SIGTERM');
  const [code] = (await once(run.child, 'exit')) as [number | null];
  return code;
}

/** Kills it outright, whatever state it is in. */
export const killLocal = (run: LocalRun | undefined) => run?.child.kill('SIGKILL');
