import { strict as assert } from 'node:assert';
import express from 'express';
import { createApp } from '../../app/createApp';
import { cost } from './testServers';
import { bodyErrors, internalError, requestLog } from '../../app/http';
import { MAX_LOG_LINE_CHARS } from '../../app/logger';
import { json, listen, MCP_HEADERS, request, type Running } from '../helpers/http';
import { captureLog } from './logCapture';

describe('shared HTTP handlers (app/http.ts)', () => {
  describe('a path that is not valid percent-encoding', () => {
    const log = captureLog('mcp-agent');
    let running: Running;
    before(async () => {
      // The agent's route shape, with the handlers the agent uses.
      const app = express();
      app.use(requestLog(log.logger));
      app.post('/tools/:name/call', (req, res) => {
        res.json({ name: req.params.name });
      });
      app.use(bodyErrors);
      app.use(internalError(log.logger));
      running = await listen(app, { maxHeaderSize: 4 * 1024 * 1024 });
    });
    after(() => running.close());

    it('answers 400 with a JSON-RPC error, logged on the request line below error level', async () => {
      const res = await request(`${running.url}/tools/%ff/call`, { method: 'POST' });
      assert.equal(res.status, 400);
      const body = await json(res);
      assert.equal(body.error.code, -32600);
      assert.match(body.error.message, /percent-encoding/);
      const line = await log.next((l) => l.msg === 'request');
      assert.equal(line.status, 400);
      assert.equal(log.lines.filter((l) => l.level >= 50).length, 0, 'no error-level line');
      const ok = await request(`${running.url}/tools/a%20b/call`, { method: 'POST' });
      assert.deepEqual(await json(ok), { name: 'a b' });
    });
  });

  describe('log lines are bounded (a 1 MB field cannot write a 1 MB line)', () => {
    const log = captureLog();
    let running: Running;
    const huge = 'x'.repeat(1024 * 1024);
    before(async () => {
      running = await listen(createApp(cost, { responseMode: 'json', logger: log.logger, maxBodyBytes: 4 * 1024 * 1024 }), { maxHeaderSize: 4 * 1024 * 1024 });
    });
    after(() => running.close());
    beforeEach(() => log.clear());

    it('a 1 MB JSON-RPC method name', async () => {
      const res = await request(`${running.url}/mcp`, {
        method: 'POST',
        headers: { ...MCP_HEADERS },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: huge }),
      });
      assert.equal((await json(res)).error.code, -32601);
      const line = await log.next((l) => l.msg === 'request');
      assert.match(line.rpcMethod, /^x+…\(\d+ more chars\)$/, 'the method is logged, cut');
      assert.equal(line.truncated, undefined, 'the field is cut, the rest of the line is whole');
      assert.equal(line.status, 200);
      for (const raw of log.raw) assert.ok(raw.length < 2048, `line of ${raw.length} chars`);
    });

    it('a 1 MB tool name', async () => {
      const res = await request(`${running.url}/mcp`, {
        method: 'POST',
        headers: { ...MCP_HEADERS },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: huge, arguments: {} } }),
      });
      await res.text();
      const line = await log.next((l) => l.msg === 'request');
      assert.match(line.tool, /^x+…\(\d+ more chars\)$/);
      assert.equal(line.truncated, undefined);
      for (const raw of log.raw) assert.ok(raw.length < 2048, `line of ${raw.length} chars`);
    });

    it('a 1 MB path', async () => {
      const res = await request(`${running.url}/${huge}`);
      assert.equal(res.status, 404);
      await res.text();
      const line = await log.next((l) => l.msg === 'request');
      assert.match(line.path, /^\/x+…\(\d+ more chars\)$/);
      assert.equal(line.truncated, undefined);
      assert.equal(line.status, 404);
      for (const raw of log.raw) assert.ok(raw.length < 2048, `line of ${raw.length} chars`);
    });

    it('an unparsable 1 MB body: its text is not logged', async () => {
      const res = await request(`${running.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS }, body: `{"a":"${huge}` });
      assert.equal(res.status, 400);
      await res.text();
      await log.next((l) => l.msg === 'request');
      for (const raw of log.raw) assert.ok(raw.length < 2048, `line of ${raw.length} chars`);
    });

    it('any line, whatever a caller logs, is cut to MAX_LOG_LINE_CHARS and marked truncated', () => {
      log.logger.info({ a: huge, b: [huge, huge], c: { d: huge } }, huge);
      log.logger.error({ err: Object.assign(new Error(huge), { body: huge }) }, 'failed');
      assert.equal(log.raw.length, 2);
      for (const raw of log.raw) assert.ok(raw.length <= MAX_LOG_LINE_CHARS, `line of ${raw.length} chars`);
      assert.equal(log.lines[0].truncated, true);
      assert.equal(log.lines[0].level, 30);
      assert.equal(log.lines[1].err.body, undefined, 'an error is logged without the body it carries');
      assert.match(log.lines[1].err.message, /^x+…\(\d+ more chars\)$/);
    });
  });
});
