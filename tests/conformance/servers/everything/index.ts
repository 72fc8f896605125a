// The conformance suites' fixture server (@modelcontextprotocol/conformance 0.1.16 and the 2026-07-28
// requirement set): every tool, resource, template and prompt their scenarios call, with the names
// and contents they check, written with the public server definition API only. The fixtures follow
// the MCP TypeScript SDK's own conformance server (test/conformance/src/everythingServer.ts).
//
// The push-style 2025 fixtures (test_sampling, test_elicitation, test_elicitation_sep1034_defaults,
// test_elicitation_sep1330_enums) ask for input the only way a stateless server can, with
// needsInput: a 2026-07-28 client answers it; a 2025-era call fails at once with a tool error.
import type { InputResponseView } from '@modelcontextprotocol/server';
import { z } from 'zod';
import {
  ask,
  audio,
  defineResource,
  defineResourceTemplate,
  defineServer,
  defineTool,
  definePrompt,
  embeddedResource,
  image,
  needsInput,
  text,
  toolResult,
} from '../../../../app/mcp/define';

/** A 1×1 red PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
/** A minimal WAV file. */
const WAV = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

const nameForm = { type: 'object' as const, properties: { name: { type: 'string' as const } }, required: ['name'] };
const confirmForm = { type: 'object' as const, properties: { ok: { type: 'boolean' as const } }, required: ['ok'] };
const Name = z.object({ name: z.string() });
const Confirm = z.object({ ok: z.boolean() });

const done = (message: string) => toolResult([text(message)]);

/** The text of a sampling answer, if the client gave one under `key`. */
function sampled(answer: InputResponseView): string | undefined {
  if (answer.kind !== 'sampling') return undefined;
  const content = answer.result.content as { type?: string; text?: string } | unknown[];
  const first = Array.isArray(content) ? (content[0] as { text?: string } | undefined) : content;
  return typeof first?.text === 'string' ? first.text : JSON.stringify(answer.result);
}

const tools = [
  defineTool({
    name: 'test_simple_text',
    title: 'Simple text',
    description: 'Tests simple text content response',
    run: () => done('This is a simple text response for testing.'),
  }),
  defineTool({
    name: 'test_image_content',
    title: 'Image content',
    description: 'Tests image content response',
    run: () => toolResult([image(PNG, 'image/png')]),
  }),
  defineTool({
    name: 'test_audio_content',
    title: 'Audio content',
    description: 'Tests audio content response',
    run: () => toolResult([audio(WAV, 'audio/wav')]),
  }),
  defineTool({
    name: 'test_embedded_resource',
    title: 'Embedded resource',
    description: 'Tests embedded resource content response',
    run: () => toolResult([embeddedResource({ uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' })]),
  }),
  defineTool({
    name: 'test_multiple_content_types',
    title: 'Multiple content types',
    description: 'Tests response with multiple content types (text, image, resource)',
    run: () =>
      toolResult([
        text('Multiple content types test:'),
        image(PNG, 'image/png'),
        embeddedResource({ uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) }),
      ]),
  }),
  defineTool({
    name: 'test_tool_with_logging',
    title: 'Logging',
    description: 'Tests tool that emits log messages during execution',
    run: async (_args, ctx) => {
      await ctx.log('info', 'Tool execution started');
      await ctx.log('info', 'Tool processing data');
      await ctx.log('info', 'Tool execution completed');
      return done('Tool with logging executed successfully');
    },
  }),
  defineTool({
    name: 'test_logging_tool',
    title: 'Logging gated by logLevel',
    description: 'SEP-2575: logs through ctx.log, delivered only when the request set _meta logLevel',
    run: async (_args, ctx) => {
      await ctx.log('info', 'test_logging_tool ran (delivered only when the request set _meta.logLevel)');
      return done('logged through the request-scoped, logLevel-gated channel');
    },
  }),
  defineTool({
    name: 'test_tool_with_progress',
    title: 'Progress',
    description: 'Tests tool that reports progress notifications',
    run: async (_args, ctx) => {
      for (const progress of [0, 50, 100]) await ctx.progress(progress, 100, `Completed step ${progress} of 100`);
      return done('progress reported');
    },
  }),
  defineTool({
    name: 'test_error_handling',
    title: 'Error',
    description: 'Tests error response handling',
    run: () => {
      throw new Error('This tool intentionally returns an error for testing');
    },
  }),
  defineTool({
    name: 'test_streaming_elicitation',
    title: 'Result frames only',
    description: 'SEP-2575: yields a response stream carrying no independent top-level JSON-RPC requests',
    run: () => done('stream observed: result frames only, no top-level requests'),
  }),
  defineTool({
    name: 'test_missing_capability',
    title: 'Needs sampling',
    description: 'SEP-2575: requires the sampling client capability (drives the -32021 undeclared-capability rejection)',
    run: (_args, ctx) =>
      ctx.input.answer('llm_answer').kind === 'missing'
        ? needsInput({
            requests: {
              llm_answer: ask.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Reply with the single word: pong' } }], maxTokens: 16 }),
            },
          })
        : done('sampling round-trip complete'),
  }),
  defineTool({
    name: 'test_x_mcp_header',
    title: 'Mcp-Param header',
    description: 'Tests SEP-2243 Mcp-Param-* server-side validation',
    inputJsonSchema: {
      type: 'object',
      properties: {
        region: { type: 'string', description: 'mirrored into Mcp-Param-Region', 'x-mcp-header': 'Region' },
        level: { type: 'integer', description: 'non-mirrored argument' },
      },
    },
    run: (args) => done(`region=${typeof args.region === 'string' ? args.region : '<none>'}`),
  }),
  defineTool({
    name: 'json_schema_2020_12_tool',
    title: 'JSON Schema 2020-12',
    description: 'Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613, SEP-2106)',
    inputJsonSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: {
        address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
      },
      properties: {
        name: { type: 'string' },
        address: { $ref: '#/$defs/address' },
        contactMethod: { type: 'string', enum: ['phone', 'email'] },
        phone: { type: 'string' },
        email: { type: 'string' },
      },
      allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
      if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
      then: { required: ['phone'] },
      else: { required: ['email'] },
      additionalProperties: false,
    },
    run: (args) => done(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  }),
  // The 2025 suite's server-to-client fixtures, as multi-round-trip tools.
  defineTool({
    name: 'test_sampling',
    title: 'Sampling',
    description: 'Tests sampling (an LLM completion from the client)',
    inputSchema: { prompt: z.string().describe('The prompt to send to the LLM') },
    run: ({ prompt }, ctx) => {
      const answer = sampled(ctx.input.answer('completion'));
      return answer === undefined
        ? needsInput({ requests: { completion: ask.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 }) } })
        : done(`LLM response: ${answer}`);
    },
  }),
  defineTool({
    name: 'test_elicitation',
    title: 'Elicitation',
    description: 'Tests elicitation (user input from the client)',
    inputSchema: { message: z.string().describe('The message to show the user') },
    run: ({ message }, ctx) => {
      const answer = ctx.input.answer('user_input');
      if (answer.kind !== 'elicit') {
        return needsInput({
          requests: {
            user_input: ask.elicit({
              message,
              requestedSchema: {
                type: 'object',
                properties: { username: { type: 'string', description: "User's response" }, email: { type: 'string', description: "User's email address" } },
                required: ['username', 'email'],
              },
            }),
          },
        });
      }
      return done(`User response: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`);
    },
  }),
  defineTool({
    name: 'test_elicitation_sep1034_defaults',
    title: 'Elicitation defaults',
    description: 'Tests elicitation with default values for all primitive types (SEP-1034)',
    run: (_args, ctx) => {
      const answer = ctx.input.answer('defaults');
      if (answer.kind !== 'elicit') {
        return needsInput({
          requests: {
            defaults: ask.elicit({
              message: 'Please review and update the form fields with defaults',
              requestedSchema: {
                type: 'object',
                properties: {
                  name: { type: 'string', description: 'User name', default: 'John Doe' },
                  age: { type: 'integer', description: 'User age', default: 30 },
                  score: { type: 'number', description: 'User score', default: 95.5 },
                  status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
                  verified: { type: 'boolean', description: 'Verification status', default: true },
                },
                required: [],
              },
            }),
          },
        });
      }
      return done(`Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`);
    },
  }),
  defineTool({
    name: 'test_elicitation_sep1330_enums',
    title: 'Elicitation enums',
    description: 'Tests elicitation with enum schema improvements (SEP-1330)',
    run: (_args, ctx) => {
      const answer = ctx.input.answer('enums');
      if (answer.kind !== 'elicit') {
        return needsInput({
          requests: {
            enums: ask.elicit({
              message: 'Please select options from the enum fields',
              requestedSchema: {
                type: 'object',
                properties: {
                  untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
                  titledSingle: {
                    type: 'string',
                    description: 'Select one option with titles',
                    oneOf: [
                      { const: 'value1', title: 'First Option' },
                      { const: 'value2', title: 'Second Option' },
                      { const: 'value3', title: 'Third Option' },
                    ],
                  },
                  legacyEnum: {
                    type: 'string',
                    description: 'Select one option (legacy)',
                    enum: ['opt1', 'opt2', 'opt3'],
                    enumNames: ['Option One', 'Option Two', 'Option Three'],
                  },
                  untitledMulti: {
                    type: 'array',
                    description: 'Select multiple options',
                    minItems: 1,
                    maxItems: 3,
                    items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
                  },
                  titledMulti: {
                    type: 'array',
                    description: 'Select multiple options with titles',
                    minItems: 1,
                    maxItems: 3,
                    items: {
                      anyOf: [
                        { const: 'value1', title: 'First Choice' },
                        { const: 'value2', title: 'Second Choice' },
                        { const: 'value3', title: 'Third Choice' },
                      ],
                    },
                  },
                },
                required: [],
              },
            } as never),
          },
        });
      }
      return done(`Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`);
    },
  }),
  // Multi-round-trip fixtures (SEP-2322).
  defineTool({
    name: 'test_input_required_result_elicitation',
    title: 'Input: elicitation',
    description: 'MRTR (SEP-2322): asks for the caller name via an in-band elicitation request',
    run: (_args, ctx) => {
      const answer = ctx.input.accepted('user_name', Name);
      return answer ? done(`Hello, ${answer.name}!`) : needsInput({ requests: { user_name: ask.elicit({ message: 'What is your name?', requestedSchema: nameForm }) } });
    },
  }),
  defineTool({
    name: 'test_input_required_result_sampling',
    title: 'Input: sampling',
    description: 'MRTR (SEP-2322): asks for an LLM completion via an in-band sampling request',
    run: (_args, ctx) => {
      const answer = sampled(ctx.input.answer('capital_question'));
      return answer !== undefined
        ? done(`Sampling response: ${answer}`)
        : needsInput({
            requests: {
              capital_question: ask.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }], maxTokens: 100 }),
            },
          });
    },
  }),
  defineTool({
    name: 'test_input_required_result_list_roots',
    title: 'Input: roots',
    description: 'MRTR (SEP-2322): asks for the client roots via an in-band roots/list request',
    run: (_args, ctx) => {
      const answer = ctx.input.answer('client_roots');
      if (answer.kind !== 'roots') return needsInput({ requests: { client_roots: ask.listRoots() } });
      return done(`Client exposed ${answer.roots.length} root(s): ${answer.roots.map((r) => r.uri).join(', ')}`);
    },
  }),
  defineTool({
    name: 'test_input_required_result_request_state',
    title: 'Input: request state',
    description: 'MRTR (SEP-2322): round-trips integrity-protected requestState alongside an elicitation request',
    run: (_args, ctx) => {
      if (ctx.input.accepted('confirm', Confirm) === undefined || ctx.input.state() === undefined) {
        return needsInput({ requests: { confirm: ask.elicit({ message: 'Please confirm', requestedSchema: confirmForm }) }, state: { tool: 'request_state' } });
      }
      return done('state-ok: requestState verified and confirmation received');
    },
  }),
  defineTool({
    name: 'test_input_required_result_multiple_inputs',
    title: 'Input: several kinds',
    description: 'MRTR (SEP-2322): asks for elicitation, sampling and roots input in a single round',
    run: (_args, ctx) => {
      const name = ctx.input.accepted('user_name', Name)?.name;
      const greeting = sampled(ctx.input.answer('greeting'));
      const roots = ctx.input.answer('client_roots');
      if (name === undefined || greeting === undefined || roots.kind !== 'roots') {
        return needsInput({
          requests: {
            user_name: ask.elicit({ message: 'What is your name?', requestedSchema: nameForm }),
            greeting: ask.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }], maxTokens: 50 }),
            client_roots: ask.listRoots(),
          },
          state: { tool: 'multiple_inputs' },
        });
      }
      return done(`${greeting} ${name} — ${roots.roots.length} root(s) visible`);
    },
  }),
  defineTool({
    name: 'test_input_required_result_multi_round',
    title: 'Input: two rounds',
    description: 'MRTR (SEP-2322): two elicitation rounds with evolving requestState before completing',
    run: (_args, ctx) => {
      const state = ctx.input.state<{ round: number; name?: string }>();
      const round = typeof state?.round === 'number' ? state.round : 0;
      if (round === 0) {
        return needsInput({ requests: { step1: ask.elicit({ message: 'Step 1: What is your name?', requestedSchema: nameForm }) }, state: { round: 1 } });
      }
      if (round === 1) {
        const name = ctx.input.accepted('step1', Name)?.name ?? 'unknown';
        return needsInput({
          requests: {
            step2: ask.elicit({
              message: 'Step 2: What is your favorite color?',
              requestedSchema: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
            }),
          },
          state: { round: 2, name },
        });
      }
      const color = ctx.input.accepted('step2', z.object({ color: z.string() }))?.color ?? 'unknown';
      return done(`Multi-round complete: ${state?.name ?? 'unknown'} likes ${color}`);
    },
  }),
  defineTool({
    name: 'test_input_required_result_tampered_state',
    title: 'Input: tampered state',
    description: 'MRTR (SEP-2322): rejects retries whose requestState fails integrity verification',
    run: (_args, ctx) =>
      ctx.input.state() !== undefined && ctx.input.accepted('confirm', Confirm) !== undefined
        ? done('integrity-ok: requestState verified')
        : needsInput({ requests: { confirm: ask.elicit({ message: 'Please confirm', requestedSchema: confirmForm }) }, state: { tool: 'tampered_state' } }),
  }),
  defineTool({
    name: 'test_input_required_result_capabilities',
    title: 'Input: what the client can do',
    description: 'MRTR (SEP-2322): only requests input kinds the declared client capabilities cover',
    run: (_args, ctx) => {
      if (['user_name', 'greeting', 'client_roots'].some((key) => ctx.input.answer(key).kind !== 'missing')) {
        return done('Capability-aware input requests fulfilled');
      }
      const can = ctx.input.clientCapabilities ?? {};
      const requests = {
        ...(can.elicitation ? { user_name: ask.elicit({ message: 'What is your name?', requestedSchema: nameForm }) } : {}),
        ...(can.sampling
          ? { greeting: ask.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Generate a short greeting' } }], maxTokens: 50 }) }
          : {}),
        ...(can.roots ? { client_roots: ask.listRoots() } : {}),
      };
      return Object.keys(requests).length ? needsInput({ requests }) : done('No declared client capability supports an in-band input request');
    },
  }),
  // subscriptions/listen triggers (SEP-2575).
  defineTool({
    name: 'test_trigger_tool_change',
    title: 'Publish tools/list_changed',
    description: 'Listen diagnostic (SEP-2575): publishes a tools/list_changed event',
    run: (_args, ctx) => {
      ctx.changes.toolsChanged();
      return done('tools_list_changed published');
    },
  }),
  defineTool({
    name: 'test_trigger_prompt_change',
    title: 'Publish prompts/list_changed',
    description: 'Listen diagnostic (SEP-2575): publishes a prompts/list_changed event',
    run: (_args, ctx) => {
      ctx.changes.promptsChanged();
      return done('prompts_list_changed published');
    },
  }),
];

const resources = [
  defineResource({
    name: 'static-text',
    uri: 'test://static-text',
    title: 'Static Text Resource',
    description: 'A static text resource for testing',
    mimeType: 'text/plain',
    read: () => 'This is the content of the static text resource.',
  }),
  defineResource({
    name: 'static-binary',
    uri: 'test://static-binary',
    title: 'Static Binary Resource',
    description: 'A static binary resource (image) for testing',
    mimeType: 'image/png',
    read: () => Buffer.from(PNG, 'base64'),
  }),
  defineResourceTemplate({
    name: 'template',
    uriTemplate: 'test://template/{id}/data',
    title: 'Resource Template',
    description: 'A resource template with parameter substitution',
    mimeType: 'application/json',
    read: ({ id }) => JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
  }),
  defineResource({
    name: 'watched-resource',
    uri: 'test://watched-resource',
    title: 'Watched Resource',
    description: 'Static resource registered for subscribe/unsubscribe testing',
    mimeType: 'text/plain',
    subscribable: true,
    read: () => 'Watched resource content',
  }),
];

const prompts = [
  definePrompt({
    name: 'test_simple_prompt',
    title: 'Simple Test Prompt',
    description: 'A simple prompt without arguments',
    messages: () => [{ role: 'user', content: text('This is a simple prompt for testing.') }],
  }),
  definePrompt({
    name: 'test_prompt_with_arguments',
    title: 'Prompt With Arguments',
    description: 'A prompt with required arguments',
    args: { arg1: z.string().describe('First test argument'), arg2: z.string().describe('Second test argument') },
    complete: { arg1: (value) => ['test', 'test-value', 'other'].filter((v) => v.startsWith(value)) },
    messages: ({ arg1, arg2 }) => [{ role: 'user', content: text(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`) }],
  }),
  definePrompt({
    name: 'test_prompt_with_embedded_resource',
    title: 'Prompt With Embedded Resource',
    description: 'A prompt that includes an embedded resource',
    args: { resourceUri: z.string().describe('URI of the resource to embed') },
    messages: ({ resourceUri }) => [
      { role: 'user', content: embeddedResource({ uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' }) },
      { role: 'user', content: text('Please process the embedded resource above.') },
    ],
  }),
  definePrompt({
    name: 'test_input_required_result_prompt',
    title: 'MRTR Prompt',
    description: 'MRTR (SEP-2322): prompt that requires elicitation input before rendering',
    messages: (_args, ctx) => {
      const context = ctx.input.accepted('user_context', z.object({ context: z.string() }))?.context;
      if (context === undefined) {
        return needsInput({
          requests: {
            user_context: ask.elicit({
              message: 'What context should the prompt use?',
              requestedSchema: { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] },
            }),
          },
        });
      }
      return [{ role: 'user', content: text(`Use the following context: ${context}`) }];
    },
  }),
  definePrompt({
    name: 'test_prompt_with_image',
    title: 'Prompt With Image',
    description: 'A prompt that includes image content',
    messages: () => [
      { role: 'user', content: image(PNG, 'image/png') },
      { role: 'user', content: text('Please analyze the image above.') },
    ],
  }),
];

export default defineServer({
  title: 'Conformance fixtures',
  instructions: 'The fixtures of the MCP conformance suites.',
  tools,
  resources,
  prompts,
});
