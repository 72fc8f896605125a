// The synthetic check on Lambda, run on a schedule (components/observability.ts): one EMF line per server
// (SyntheticSuccess 1 or 0, SyntheticLatency) and one log line with every result.
import { readAgentEnv } from '../agent/config';
import { resolverFromEnv } from '../agent/main';
import { McpServers } from '../agent/servers';
import { agentAuthFromEnv } from '../agent/token';
import { createLogger, type Logger } from '../logger';
import { EmfMetrics } from '../observability/metrics';
import { frontDoorOnly, runSyntheticCheck, type SyntheticResult } from './check';

/** The check from its environment: the agent's discovery and machine-client variables. */
export function createSyntheticHandler(env: NodeJS.ProcessEnv = process.env, logger: Logger = createLogger('mcp-synthetic'), metrics = new EmfMetrics()) {
  const agentEnv = readAgentEnv(env);
  const auth = agentAuthFromEnv(env, logger);
  return async (): Promise<{ servers: number; failed: string[] }> => {
    // Fresh each run: nothing remembered from the last one (a server down then is asked again).
    const servers = new McpServers({
      resolver: frontDoorOnly(resolverFromEnv(agentEnv, logger)),
      ...(auth ? { auth } : {}),
      timeoutMs: Math.min(agentEnv.CALL_TIMEOUT_MS, 20_000),
      toolsTtlMs: 0,
      logger,
    });
    const results: SyntheticResult[] = await runSyntheticCheck(servers);
    for (const r of results) metrics.synthetic(r.server, r.ok, r.latencyMs);
    const failed = results.filter((r) => !r.ok).map((r) => r.server);
    logger[failed.length ? 'warn' : 'info']({ results }, failed.length ? `synthetic check: ${failed.join(', ')} failed` : 'synthetic check passed');
    return { servers: results.length, failed };
  };
}

let handle: ReturnType<typeof createSyntheticHandler> | undefined;

/** The scheduled event's handler; a discovery failure throws (Lambda's Errors metric, and no SyntheticSuccess: the alarm fires). */
export const handler = (): ReturnType<ReturnType<typeof createSyntheticHandler>> => (handle ??= createSyntheticHandler())();
