// Per-tool metrics, the same on every target: calls, tool errors (isError) and duration per server, tool
// and outcome. On AWS each call is one CloudWatch Embedded Metric Format line on stdout (CloudWatch Logs
// turns it into metrics: no agent, no API call on the request path); under npm start they are summed and
// served at GET /metrics in Prometheus' text format. Only the tools a server defines are counted: a tool
// name a client makes up never becomes a metric.

/** The CloudWatch namespace of every metric the apps write. */
export const METRICS_NAMESPACE = 'McpOnAws';

/** Metric names, and the dimension sets each family is written with. */
export const METRIC = {
  calls: 'ToolCalls',
  errors: 'ToolErrors',
  duration: 'ToolDuration',
  coldStart: 'ColdStart',
  protocolErrors: 'ProtocolErrors',
  agentCalls: 'AgentToolCalls',
  agentErrors: 'AgentToolErrors',
  agentDuration: 'AgentToolDuration',
  bedrockLatency: 'BedrockLatency',
  bedrockErrors: 'BedrockErrors',
  syntheticSuccess: 'SyntheticSuccess',
  syntheticLatency: 'SyntheticLatency',
} as const;
export const DIMENSION_SETS = [['Server', 'Tool', 'Outcome'], ['Server']] as const;
export const PROTOCOL_DIMENSION_SETS = [['Server', 'Method'], ['Server']] as const;
export const AGENT_DIMENSION_SETS = [['Server', 'Outcome'], ['Server']] as const;
export const BEDROCK_DIMENSION_SETS = [['Model']] as const;
export const SYNTHETIC_DIMENSION_SETS = [['Server']] as const;

/** How a call ended: its result, a tool error (`isError`, or the tool threw), or a request for input. */
export type Outcome = 'ok' | 'tool_error' | 'input_required';

/** How a call the agent made to a server ended (a bounded set: the dimension's values). */
export type AgentOutcome = 'ok' | 'tool_error' | 'unreachable' | 'timeout' | 'upstream_error';

/** Where the apps report what they do. */
export interface ToolMetrics {
  toolCall(server: string, tool: string, outcome: Outcome, durationMs: number): void;
  /** Lambda: the first invocation of an execution environment. */
  coldStart?(server: string): void;
  /**
   * An MCP request answered with a JSON-RPC error or an HTTP error (not an authorization refusal);
   * `method`: an MCP method or `_OTHER`, so that the dimension stays bounded.
   */
  protocolError?(server: string, method: string, code: number | undefined, status: number): void;
  /** The agent: a tool call it routed to `server`. */
  agentCall?(server: string, outcome: AgentOutcome, durationMs: number): void;
  /** The agent: one Bedrock Converse call. */
  bedrockCall?(model: string, ok: boolean, durationMs: number): void;
  /** The synthetic check of `server`: passed or not, and how long it took. */
  synthetic?(server: string, ok: boolean, latencyMs: number): void;
}

type Unit = 'Count' | 'Milliseconds';
/** Metric name → its unit and value, in one EMF record. */
type EmfValues = Record<string, { unit: Unit; value: number }>;

/**
 * One record of CloudWatch's embedded metric format (specification version 0): `metrics` (name → unit
 * and value) with `dimensions` (every set's names among `values`), and `properties` that are logged only.
 */
export function emfLine(
  metrics: EmfValues,
  dimensions: readonly (readonly string[])[],
  values: Record<string, string>,
  timestamp: number,
  properties: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: dimensions.map((set) => [...set]),
          Metrics: Object.entries(metrics).map(([Name, m]) => ({ Name, Unit: m.unit })),
        },
      ],
    },
    ...properties,
    ...values,
    ...Object.fromEntries(Object.entries(metrics).map(([name, m]) => [name, m.value])),
  };
}

const ms = (durationMs: number) => Math.round(durationMs * 1000) / 1000;

/** The EMF record of one call (CloudWatch embedded metric format, specification version 0). */
export function emfRecord(server: string, tool: string, outcome: Outcome, durationMs: number, timestamp: number): Record<string, unknown> {
  return emfLine(
    {
      [METRIC.calls]: { unit: 'Count', value: 1 },
      [METRIC.errors]: { unit: 'Count', value: outcome === 'tool_error' ? 1 : 0 },
      [METRIC.duration]: { unit: 'Milliseconds', value: ms(durationMs) },
    },
    DIMENSION_SETS,
    { Server: server, Tool: tool, Outcome: outcome },
    timestamp,
  );
}

/** One EMF line per event, written with `write` (default: stdout, which Lambda and the ECS/EKS log drivers send to CloudWatch Logs). */
export class EmfMetrics implements ToolMetrics {
  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes one EMF line, stamped now. */
  private emit(metrics: EmfValues, dimensions: readonly (readonly string[])[], values: Record<string, string>, properties?: Record<string, unknown>): void {
    this.write(JSON.stringify(emfLine(metrics, dimensions, values, this.now(), properties)));
  }

  toolCall(server: string, tool: string, outcome: Outcome, durationMs: number): void {
    this.write(JSON.stringify(emfRecord(server, tool, outcome, durationMs, this.now())));
  }

  coldStart(server: string): void {
    this.emit({ [METRIC.coldStart]: { unit: 'Count', value: 1 } }, [['Server']], { Server: server });
  }

  protocolError(server: string, method: string, code: number | undefined, status: number): void {
    this.emit({ [METRIC.protocolErrors]: { unit: 'Count', value: 1 } }, PROTOCOL_DIMENSION_SETS, { Server: server, Method: method }, { status, ...(code !== undefined ? { code } : {}) });
  }

  agentCall(server: string, outcome: AgentOutcome, durationMs: number): void {
    this.emit(
      {
        [METRIC.agentCalls]: { unit: 'Count', value: 1 },
        [METRIC.agentErrors]: { unit: 'Count', value: outcome === 'ok' ? 0 : 1 },
        [METRIC.agentDuration]: { unit: 'Milliseconds', value: ms(durationMs) },
      },
      AGENT_DIMENSION_SETS,
      { Server: server, Outcome: outcome },
    );
  }

  synthetic(server: string, ok: boolean, latencyMs: number): void {
    this.emit(
      { [METRIC.syntheticSuccess]: { unit: 'Count', value: ok ? 1 : 0 }, [METRIC.syntheticLatency]: { unit: 'Milliseconds', value: ms(latencyMs) } },
      SYNTHETIC_DIMENSION_SETS,
      { Server: server },
    );
  }

  bedrockCall(model: string, ok: boolean, durationMs: number): void {
    this.emit(
      { [METRIC.bedrockLatency]: { unit: 'Milliseconds', value: ms(durationMs) }, [METRIC.bedrockErrors]: { unit: 'Count', value: ok ? 0 : 1 } },
      BEDROCK_DIMENSION_SETS,
      { Model: model },
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

  private readonly protocol = new Map<string, { labels: Record<string, string>; count: number }>();

  protocolError(server: string, method: string): void {
    const key = `${server}\n${method}`;
    const p = this.protocol.get(key) ?? { labels: { server, method }, count: 0 };
    p.count++;
    this.protocol.set(key, p);
  }

  /** How many label sets are kept (bounded by the tools the servers define, times three outcomes, and by MCP's methods). */
  get size(): number {
    return this.series.size + this.protocol.size;
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
      '# HELP mcp_protocol_errors_total MCP requests answered with a JSON-RPC or HTTP error (not authorization refusals), by server and method.',
      '# TYPE mcp_protocol_errors_total counter',
      ...[...this.protocol.values()].map((p) => `mcp_protocol_errors_total${labels(p.labels)} ${p.count}`),
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
