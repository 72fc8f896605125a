import {
  ConverseCommand,
  type BedrockRuntimeClient,
  type ContentBlock,
  type Message,
  type ToolResultContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ToolMetrics } from '../observability/metrics';
import { activeTracer } from '../observability/tracing';
import type { AgentTool, ToolCallOutcome } from './servers';

export interface AskOptions {
  bedrock: Pick<BedrockRuntimeClient, 'send'>;
  modelId: string;
  prompt: string;
  tools: AgentTool[];
  callTool: (name: string, args: Record<string, unknown>) => Promise<ToolCallOutcome>;
  /** Model turns at the most; the loop stops there even if the model wants more tools. */
  maxSteps: number;
  /** Where each Converse call's latency is counted (BedrockLatency, by model). */
  metrics?: ToolMetrics;
}

export interface AskResult {
  answer: string;
  /** end_turn and the like from Bedrock, or step_limit when the loop was cut. */
  stopReason: string;
  steps: number;
  /** Each tool the model called, by the name it was given, with the server (and endpoint URL) that answered. */
  toolCalls: { tool: string; server?: string; url?: string; isError: boolean }[];
}

const SYSTEM =
  'You answer with the help of tools served by MCP servers. Call a tool when it gives a better answer than ' +
  'you could alone; say which figures come from tools.';

/** A tool as Bedrock is given it: by its exposed name, which fits Bedrock's rule (see modelToolNames). */
function toolSpec(tool: AgentTool) {
  // Bedrock takes a plain JSON Schema object; the $schema marker is not part of it.
  const { $schema: _ignored, ...schema } = tool.inputSchema as Record<string, unknown>;
  return { toolSpec: { name: tool.name, description: tool.description ?? tool.name, inputSchema: { json: schema as never } } };
}

function toolResultContent(result: CallToolResult): ToolResultContentBlock[] {
  if (result.structuredContent) return [{ json: result.structuredContent as never }];
  const text = result.content
    .map((c) => (c.type === 'text' ? c.text : `[${c.type} content]`))
    .join('\n');
  return [{ text: text || '(no content)' }];
}

const textOf = (message: Message | undefined) =>
  (message?.content ?? [])
    .map((b) => b.text ?? '')
    .join('')
    .trim();

/**
 * Answers `prompt` with a model on Amazon Bedrock (Converse API), letting it call the discovered MCP
 * tools in a loop: each tool use is routed to a server that offers the tool, and its result (or error)
 * goes back to the model, until the model answers or `maxSteps` turns have been taken.
 */
export async function ask(opts: AskOptions): Promise<AskResult> {
  const messages: Message[] = [{ role: 'user', content: [{ text: opts.prompt }] }];
  const toolConfig = opts.tools.length ? { tools: opts.tools.map(toolSpec) } : undefined;
  const toolCalls: AskResult['toolCalls'] = [];
  let lastText = '';
  for (let step = 1; step <= opts.maxSteps; step++) {
    const out = await converse(opts, new ConverseCommand({ modelId: opts.modelId, system: [{ text: SYSTEM }], messages: [...messages], ...(toolConfig ? { toolConfig } : {}) }));
    const message = out.output?.message;
    if (!message) throw new Error('Bedrock returned no message');
    messages.push(message);
    lastText = textOf(message) || lastText;
    if (out.stopReason !== 'tool_use') {
      return { answer: lastText, stopReason: out.stopReason ?? 'end_turn', steps: step, toolCalls };
    }
    const results: ContentBlock[] = [];
    for (const block of message.content ?? []) {
      if (!block.toolUse) continue;
      const { toolUseId, name = '', input } = block.toolUse;
      try {
        const outcome = await opts.callTool(name, (input ?? {}) as Record<string, unknown>);
        toolCalls.push({ tool: name, server: outcome.server, url: outcome.endpoint.url, isError: outcome.result.isError === true });
        results.push({
          toolResult: { toolUseId, content: toolResultContent(outcome.result), status: outcome.result.isError ? 'error' : 'success' },
        });
      } catch (err) {
        // Not found or unreachable: the model is told, and may try something else.
        toolCalls.push({ tool: name, isError: true });
        results.push({ toolResult: { toolUseId, content: [{ text: err instanceof Error ? err.message : String(err) }], status: 'error' } });
      }
    }
    messages.push({ role: 'user', content: results });
  }
  return { answer: lastText, stopReason: 'step_limit', steps: opts.maxSteps, toolCalls };
}

/** One Converse call, timed (BedrockLatency) and, when tracing, in a span `chat <model>` (the GenAI conventions). */
async function converse(opts: AskOptions, command: ConverseCommand) {
  const started = performance.now();
  const span = activeTracer()?.startSpan(`chat ${opts.modelId}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': opts.modelId },
  });
  try {
    const out = await opts.bedrock.send(command);
    opts.metrics?.bedrockCall?.(opts.modelId, true, performance.now() - started);
    if (out.usage) span?.setAttributes({ 'gen_ai.usage.input_tokens': out.usage.inputTokens ?? 0, 'gen_ai.usage.output_tokens': out.usage.outputTokens ?? 0 });
    return out;
  } catch (err) {
    opts.metrics?.bedrockCall?.(opts.modelId, false, performance.now() - started);
    span?.setAttribute('error.type', err instanceof Error ? err.name : 'Error');
    span?.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span?.end();
  }
}
