// The server definition API (app/mcp/define.ts) as clients of both protocol generations see it: the
// v2 client pinned to 2026-07-28 and the v1 client (2025-era), over createApp on 127.0.0.1.
import assert from 'node:assert/strict';
import { Client as ClientV2, LOG_LEVEL_META_KEY, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createApp } from '../../../app/createApp';
import { connectClient, listen, post, silentLogger, type Running } from '../../helpers/http';
import { envelope, MODERN, postModern } from '../modernWire';

const CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
import { NOTES, notes, PNG, WAV } from './notes';

type AnyClient = {
  callTool(params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> }, ...rest: unknown[]): Promise<any>;
  readResource(params: { uri: string }): Promise<any>;
  listResources(): Promise<any>;
  listResourceTemplates(): Promise<any>;
  getPrompt(params: { name: string; arguments?: Record<string, string> }): Promise<any>;
  complete(params: unknown): Promise<any>;
  close(): Promise<void>;
};

const GENERATIONS = ['2026-07-28', '2025'] as const;
type Generation = (typeof GENERATIONS)[number];

async function connect(gen: Generation, url: string, logs: unknown[] = []): Promise<AnyClient> {
  if (gen === '2025') {
    const client = await connectClient(url);
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
    return client as unknown as AnyClient;
  }
  const client = new ClientV2(
    { name: 'define-test', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: { form: {} } } },
  );
  client.setNotificationHandler('notifications/message', (n) => void logs.push(n.params.data));
  // The user confirms whatever is asked.
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { ok: true } }));
  await client.connect(new TransportV2(new URL(url)));
  return client as unknown as AnyClient;
}

describe('the server definition API, through real clients', () => {
  let running: Running;
  let url: string;
  before(async () => {
    running = await listen(createApp({ name: 'notes', definition: notes }, { responseMode: 'sse', logger: silentLogger }));
    url = `${running.url}/mcp`;
  });
  after(() => running.close());

  for (const gen of GENERATIONS) {
    describe(`a ${gen} client`, () => {
      let client: AnyClient;
      const logs: unknown[] = [];
      beforeEach(async () => {
        logs.length = 0;
        client = await connect(gen, url, logs);
      });
      afterEach(() => client.close());

      it('gets structured output as structuredContent and JSON text', async () => {
        const result = await client.callTool({ name: 'count', arguments: { text: 'a b  c' } });
        assert.deepEqual(result.structuredContent, { words: 3 });
        assert.deepEqual(result.content, [{ type: 'text', text: '{"words":3}' }]);
      });

      it('gets text, image, audio, an embedded resource and a resource link with the structured output', async () => {
        const result = await client.callTool({ name: 'show', arguments: { id: '1' } });
        assert.equal(result.isError, undefined);
        assert.deepEqual(result.structuredContent, { id: '1', note: 'buy milk' });
        assert.deepEqual(result.content, [
          { type: 'text', text: 'buy milk' },
          { type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' },
          { type: 'audio', data: WAV.toString('base64'), mimeType: 'audio/wav' },
          { type: 'resource', resource: { uri: 'notes://1', mimeType: 'text/plain', text: 'buy milk' } },
          { type: 'resource_link', uri: 'notes://1', name: 'note 1' },
        ]);
      });

      it('gets a tool error from toolError and from a thrown error', async () => {
        const explicit = await client.callTool({ name: 'show', arguments: { id: '404' } });
        assert.equal(explicit.isError, true);
        assert.deepEqual(explicit.content, [{ type: 'text', text: 'no note 404' }]);
        const thrown = await client.callTool({ name: 'fail', arguments: {} });
        assert.equal(thrown.isError, true);
        assert.match(thrown.content[0].text, /the disk is full/);
      });

      it('gets progress for its progressToken, and the log', async () => {
        const progress: { progress: number; total?: number; message?: string }[] = [];
        const meta = gen === '2025' ? {} : { _meta: { [LOG_LEVEL_META_KEY]: 'info' } };
        const options = { onprogress: (p: { progress: number; total?: number; message?: string }) => void progress.push(p) };
        const params = { name: 'work', arguments: { steps: 2 }, ...meta };
        // The v1 client takes a result schema before the options; the v2 client does not.
        const result = gen === '2025' ? await client.callTool(params, undefined, options) : await client.callTool(params, options);
        assert.deepEqual(result.content, [{ type: 'text', text: 'did 2 steps' }]);
        assert.deepEqual(
          progress.map(({ progress: n, total, message }) => ({ n, total, message })),
          [
            { n: 1, total: 2, message: 'step 1' },
            { n: 2, total: 2, message: 'step 2' },
          ],
        );
        assert.deepEqual(logs, ['starting 2 steps']);
      });

      it('reads text and binary resources, and a template with its variables', async () => {
        assert.deepEqual((await client.readResource({ uri: 'notes://readme' })).contents, [
          { uri: 'notes://readme', mimeType: 'text/plain', text: 'Notes by id.' },
        ]);
        assert.deepEqual((await client.readResource({ uri: 'notes://logo' })).contents, [
          { uri: 'notes://logo', mimeType: 'image/png', blob: PNG.toString('base64') },
        ]);
        assert.deepEqual((await client.readResource({ uri: 'notes://2' })).contents, [{ uri: 'notes://2', mimeType: 'text/plain', text: 'call Ann' }]);
      });

      it('lists the fixed resources and what the template lists, and the template', async () => {
        const { resources } = await client.listResources();
        assert.deepEqual(
          resources.map((r: { uri: string }) => r.uri),
          ['notes://readme', 'notes://logo', ...Object.keys(NOTES).map((id) => `notes://${id}`)],
        );
        const { resourceTemplates } = await client.listResourceTemplates();
        assert.deepEqual(
          resourceTemplates.map((t: { uriTemplate: string; name: string }) => [t.name, t.uriTemplate]),
          [['note', 'notes://{id}']],
        );
      });

      it('gets an error for an unknown resource URI', async () => {
        await assert.rejects(client.readResource({ uri: 'other://x' }), /not found/i);
      });

      it('completes template variables and prompt arguments', async () => {
        const variable = await client.complete({ ref: { type: 'ref/resource', uri: 'notes://{id}' }, argument: { name: 'id', value: '1' } });
        assert.deepEqual(variable.completion.values, ['1', '10']);
        const argument = await client.complete({ ref: { type: 'ref/prompt', name: 'summarize' }, argument: { name: 'id', value: '2' } });
        assert.deepEqual(argument.completion.values, ['2']);
      });

      it('gets a prompt with its arguments, with embedded resource, image and text messages', async () => {
        const prompt = await client.getPrompt({ name: 'summarize', arguments: { id: '10', style: 'briefly' } });
        assert.deepEqual(prompt.messages, [
          { role: 'user', content: { type: 'resource', resource: { uri: 'notes://10', mimeType: 'text/plain', text: 'ship it' } } },
          { role: 'user', content: { type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' } },
          { role: 'user', content: { type: 'text', text: 'Summarize it briefly.' } },
        ]);
      });
    });
  }

  it('a 2026-07-28 client answers needsInput, and the tool gets the answer and its signed state', async () => {
    const client = await connect('2026-07-28', url);
    try {
      const result = await client.callTool({ name: 'delete', arguments: { id: '2' } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'deleted 2' }]);
    } finally {
      await client.close();
    }
  });

  it('a 2025-era call that needs input fails at once with a tool error saying why (no server-to-client request on a stateless endpoint)', async () => {
    const client = await connect('2025', url);
    try {
      const result = await client.callTool({ name: 'delete', arguments: { id: '2' } }, undefined, { timeout: 5_000 });
      assert.equal(result.isError, true);
      assert.match(result.content[0].text, /server-to-client/);
    } finally {
      await client.close();
    }
  });

  it('a 2026-07-28 request whose state was changed is refused with -32602', async () => {
    const call = (id: number, params: Record<string, unknown>) =>
      post(
        url,
        { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'delete', arguments: { id: '2' }, ...params, _meta: { ...envelope(), [CAPABILITIES]: { elicitation: { form: {} } } } } },
        { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'delete' },
      );
    const first = await (await call(1, {})).text();
    const state = /"requestState":"([^"]+)"/.exec(first)?.[1];
    assert.ok(state, first);
    const forged = `${state.slice(0, -2)}${state.endsWith('A') ? 'B' : 'A'}A`;
    const answer = { inputResponses: { confirm: { action: 'accept', content: { ok: true } } } };
    const honest = await (await call(2, { ...answer, requestState: state })).text();
    assert.match(honest, /deleted 2/);
    const body = await (await call(3, { ...answer, requestState: forged })).text();
    assert.match(body, /"code":-32602/);
    assert.doesNotMatch(body, /deleted/);
  });

  it('2026-07-28 list results carry the server’s cache hints, a resource read its own', async () => {
    const tools = await (await postModern(url, 1, 'tools/list')).text();
    assert.match(tools, /"ttlMs":5000,"cacheScope":"public"|"cacheScope":"public","ttlMs":5000/);
    const prompts = await (await postModern(url, 2, 'prompts/list')).text();
    assert.match(prompts, /"ttlMs":60000/);
    const logo = await (await postModern(url, 3, 'resources/read', { uri: 'notes://logo' })).text();
    assert.match(logo, /"ttlMs":3600000/);
    assert.match(logo, /"cacheScope":"public"/);
    const readme = await (await postModern(url, 4, 'resources/read', { uri: 'notes://readme' })).text();
    assert.match(readme, /"ttlMs":0/);
    assert.match(readme, /"cacheScope":"private"/);
  });
});
