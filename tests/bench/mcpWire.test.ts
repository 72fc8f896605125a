import { strict as assert } from 'node:assert';
import { judgeAnswer, legacyRequest, modernRequest, MODERN_VERSION } from '../../bench/mcpWire';
import { REFERENCE_TOOL } from '../../bench/reference/v2handler';
import { handler } from '../../bench/reference/v2lambda';
import { httpApiV2Event } from '../fixtures/lambdaEvents';

const SSE = 'text/event-stream';
const sse = (...messages: unknown[]) => messages.map((m) => `event: message\ndata: ${JSON.stringify(m)}\n\n`).join('');

describe('bench: judging an MCP answer', () => {
  it('finds the result after the notifications of an SSE stream', () => {
    const body = sse(
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } },
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'ok' }] } },
    );
    assert.deepEqual(judgeAnswer(200, SSE, body), { ok: true, result: { content: [{ type: 'text', text: 'ok' }] } });
  });

  it('calls a JSON-RPC error "not supported" with its code and message, even under HTTP 200', () => {
    const error = { jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'Bad Request: Unsupported protocol version' } };
    assert.deepEqual(judgeAnswer(400, 'application/json', JSON.stringify(error)), {
      ok: false,
      reason: 'HTTP 400, error -32000 Bad Request: Unsupported protocol version',
    });
    assert.equal(judgeAnswer(200, SSE, sse(error)).ok, false);
  });

  it('does not count a tool error or a non-JSON body as an answer', () => {
    const toolError = { jsonrpc: '2.0', id: 1, result: { isError: true, content: [{ type: 'text', text: 'boom' }] } };
    assert.equal(judgeAnswer(200, 'application/json', JSON.stringify(toolError)).ok, false);
    assert.equal(judgeAnswer(502, 'text/html', '<html>Bad Gateway</html>').ok, false);
  });
});

describe("bench: the requests, against the SDK's minimal v2 server (the benchmarks' reference)", () => {
  const invoke = async ({ headers, body }: { headers: Record<string, string>; body: string }) => {
    const res = await handler(httpApiV2Event(body, { headers }));
    return judgeAnswer(res.statusCode, res.headers['content-type'], res.body);
  };

  it('a 2025-11-25 initialize is answered with that version', async () => {
    const answer = await invoke(legacyRequest('initialize'));
    assert.ok(answer.ok, answer.ok ? '' : answer.reason);
    assert.equal(answer.result.protocolVersion, '2025-11-25');
  });

  it('a 2026-07-28 server/discover is answered, listing 2026-07-28', async () => {
    const answer = await invoke(modernRequest('server/discover'));
    assert.ok(answer.ok, answer.ok ? '' : answer.reason);
    assert.ok((answer.result.supportedVersions as string[]).includes(MODERN_VERSION));
  });

  for (const [wire, request] of [
    ['2025-11-25', legacyRequest],
    ['2026-07-28', modernRequest],
  ] as const) {
    it(`a ${wire} tools/call runs the tool`, async () => {
      const answer = await invoke(request('tools/call', REFERENCE_TOOL));
      assert.ok(answer.ok, answer.ok ? '' : answer.reason);
      assert.deepEqual(answer.result.content, [{ type: 'text', text: 'Hello, bench!' }]);
    });
  }
});
