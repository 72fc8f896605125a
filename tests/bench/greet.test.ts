import { strict as assert } from 'node:assert';
import { judgeAnswer, legacyRequest, modernRequest } from '../../bench/mcpWire';
import { REFERENCE_TOOL } from '../../bench/reference/v2handler';
import { handler } from '../../bench/reference/v2lambda';
import greetServer from '../../bench/servers/greet';
import { createApp } from '../../app/createApp';
import { httpApiV2Event } from '../fixtures/lambdaEvents';
import { listen, silentLogger, type Running } from '../helpers/http';

// bench/throughput.mjs compares the app serving bench/servers/greet with the SDK's reference: the
// comparison is fair only while both answer the same call with the same result.
describe('bench: the greet server does what the reference does', () => {
  let app: Running;
  before(async () => {
    app = await listen(createApp({ name: 'greet', definition: greetServer }, { logger: silentLogger }));
  });
  after(() => app.close());

  for (const [wire, request] of [
    ['2025-11-25', legacyRequest],
    ['2026-07-28', modernRequest],
  ] as const) {
    it(`a ${wire} tools/call of the reference's tool and arguments gets the reference's content`, async () => {
      const { headers, body } = request('tools/call', REFERENCE_TOOL);
      const ref = await handler(httpApiV2Event(body, { headers }));
      const expected = judgeAnswer(ref.statusCode, ref.headers['content-type'], ref.body);
      const res = await fetch(`${app.url}/mcp`, { method: 'POST', headers, body });
      const answer = judgeAnswer(res.status, res.headers.get('content-type') ?? undefined, await res.text());
      assert.ok(expected.ok && answer.ok, answer.ok ? 'reference failed' : answer.reason);
      assert.deepEqual(answer.result.content, expected.result.content);
      assert.equal(answer.result.isError, expected.result.isError);
    });
  }
});
