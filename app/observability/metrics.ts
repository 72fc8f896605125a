// Per-tool metrics, the same on every target: calls, tool errors (isError) and duration per server, tool
// and outcome. On AWS each call is one CloudWatch Embedded Metric Format line on stdout (CloudWatch Logs
// turns it into metrics: no agent, no API call on the request path); under npm start they are summed and
// served at GET /metrics in Prometheus' text format. Only the tools a server defines are counted: a tool
// name a client makes up never becomes a metric.

/** The CloudWatch namespace of every metric the apps write. */
export const METRICS_NAMESPACE = 'McpOnAws';

/** Metric names, and the dimension sets they are written with. */
export const METRIC = { calls: 'ToolCalls', errors: 'ToolErrors', duration: 'ToolDuration', coldStart: 'ColdStart' } as const;
export const DIMENSION_SETS = [['Server', 'Tool', 'Outcome'], ['Server']] as const;

/** How a call ended: its result, a tool error (`isError`, or the tool threw), or a request for input. */
export type Outcome = 'ok' | 'tool_error' | 'input_required';

/** Where the tools report their calls. */
export interface ToolMetrics {
  toolCall(server: string, tool: string, outcome: Outcome, durationMs: number): void;
  /** Lambda: the first invocation of an execution environment. */
  coldStart?(server: string): void;
}

/** The EMF record of one call (CloudWatch embedded metric format, specification version 0). */
export function emfRecord(server: string, tool: string, outcome: Outcome, durationMs: number, timestamp: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: DIMENSION_SETS.map((set) => [...set]),
          Metrics: [
            { Name: METRIC.calls, Unit: 'Count' },
            { Name: METRIC.errors, Unit: 'Count' },
            { Name: METRIC.duration, Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    Server: server,
    Tool: tool,
    Outcome: outcome,
    [METRIC.calls]: 1,
    [METRIC.errors]: outcome === 'tool_error' ? 1 : 0,
    [METRIC.duration]: Math.round(durationMs * 1000) / 1000,
  };
}

/** One EMF line per call, written with `write` (default: stdout, which Lambda and the ECS/EKS log drivers send to CloudWatch Logs). */
export class EmfMetrics implements ToolMetrics {
  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    private readonly now: () => number = Date.now,
  ) {}

  toolCall(server: string, tool: string, outcome: Outcome, durationMs: number): void {
    this.write(JSON.stringify(emfRecord(server, tool, outcome, durationMs, this.now())));
  }

  coldStart(server: string): void {
    this.write(
      JSON.stringify({
        _aws: { Timestamp: this.now(), CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['Server']], Metrics: [{ Name: METRIC.coldStart, Unit: 'Count' }] }] },
        Server: server,
        [METRIC.coldStart]: 1,
      }),
    );
  }
}

/** Calls summed per server, tool and outcome, for GET /metrics (Prometheus text format 0.0.4). */
export class PrometheusMetrics implements ToolMetrics {
  private readonly series = new Map<string, { labels: Record<string, string>; calls: number; errors: number; durationMs: number }>();

  toolCall(server: string, tool: string, outcome: Outcome, durationMs: number): void {
    const key = `${server}\n${tool}\n${outcome}`;
    const s = this.series.get(key) ?? { labels: { server, tool, outcome }, calls: 0, errors: 0, durationMs: 0 };
    s.calls++;
    if (outcome === 'tool_error') s.errors++;
    s.durationMs += durationMs;
    this.series.set(key, s);
  }

  /** How many label sets are kept (bounded by the tools the servers define, times three outcomes). */
  get size(): number {
    return this.series.size;
  }

  render(): string {
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
    const all = [...this.series.values()];
    const lines = [
      '# HELP mcp_tool_calls_total Tool calls, by server, tool and outcome.',
      '# TYPE mcp_tool_calls_total counter',
      ...all.map((s) => `mcp_tool_calls_total${labels(s.labels)} ${s.calls}`),
      '# HELP mcp_tool_errors_total Tool calls that ended in a tool error (isError).',
      '# TYPE mcp_tool_errors_total counter',
      ...all.map((s) => `mcp_tool_errors_total${labels(s.labels)} ${s.errors}`),
      '# HELP mcp_tool_duration_milliseconds Time spent in tool calls.',
      '# TYPE mcp_tool_duration_milliseconds summary',
      ...all.flatMap((s) => [`mcp_tool_duration_milliseconds_sum${labels(s.labels)} ${s.durationMs}`, `mcp_tool_duration_milliseconds_count${labels(s.labels)} ${s.calls}`]),
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** The metrics MCP_METRICS asks for: `emf` (deployed stacks), `prometheus` (npm start), else none. */
export function metricsFrom(mode: string | undefined): ToolMetrics | undefined {
  if (mode === 'emf') return new EmfMetrics();
  if (mode === 'prometheus') return new PrometheusMetrics();
  return undefined;
}
