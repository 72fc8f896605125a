import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBundle } from '../../scripts/bundles';

// As in the image: the bundle alone in a directory, with no node_modules to fall back on.
const imageDir = mkdtempSync(path.join(tmpdir(), 'mcp-on-aws-image-'));
const bundle = path.join(imageDir, 'index.js');

interface Started {
  child: ChildProcess;
  port: number;
  lines: any[];
  exited: Promise<number | null>;
}

/** Starts the container's command, `node index.js`, and waits for its "listening" line. */
async function start(env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [bundle], {
    cwd: imageDir,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: any[] = [];
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        if (line.msg === 'MCP server listening') resolve(Number(new URL(line.url).port));
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}`)));
    setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('no "MCP server listening" line within 10 s'));
    }, 10_000).unref();
  });
  return { child, port, lines, exited };
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

/** Sends a POST /mcp whose body is held back after `sentBytes` until `release()` is called. */
async function slowPost(port: number, body: string, sentBytes: number) {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Accept: application/json, text/event-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body.slice(0, sentBytes),
  );
  let response = '';
  socket.on('data', (c: Buffer) => (response += c.toString()));
  const closed = once(socket, 'close').then(() => response);
  return { release: () => socket.write(body.slice(sentBytes)), closed };
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('container entry point (node index.js, the server bundle alone in a directory)', function () {
  this.timeout(30_000);

  before(async () => {
    copyFileSync(await buildBundle({ kind: 'server' }), bundle);
  });

  it('serves MCP and logs one JSON line per request with method, tool, status and duration', async () => {
    const s = await start();
    try {
      const res = await fetch(`http://127.0.0.1:${s.port}/text/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'analyze_text', arguments: { text: 'a b' } } }),
      });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /"words":2/);
      await sleep(50);
      const line = s.lines.find((l) => l.msg === 'request');
      assert.ok(line, 'a request line was logged');
      assert.equal(line.method, 'POST');
      assert.equal(line.rpcMethod, 'tools/call');
      assert.equal(line.tool, 'analyze_text');
      assert.equal(line.status, 200);
      assert.equal(typeof line.durationMs, 'number');
      const health = await fetch(`http://127.0.0.1:${s.port}/healthz`);
      assert.equal(health.headers.get('keep-alive'), 'timeout=305', 'keep-alive above a 300 s ALB idle timeout');
      await health.text();
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('takes its keep-alive timeout from KEEP_ALIVE_TIMEOUT_MS', async () => {
    const s = await start({ KEEP_ALIVE_TIMEOUT_MS: '400000' });
    try {
      const res = await fetch(`http://127.0.0.1:${s.port}/healthz`);
      assert.equal(res.headers.get('keep-alive'), 'timeout=400');
      await res.text();
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM stops accepting, finishes the in-flight request, then exits 0', async () => {
    const s = await start();
    const inFlight = await slowPost(s.port, initialize, 20);
    await sleep(100);
    s.child.kill('SIGTERM');
    await sleep(200);
    // No new connections once draining.
    const refused = await fetch(`http://127.0.0.1:${s.port}/healthz`).then(
      () => false,
      () => true,
    );
    assert.ok(refused, 'a new connection is refused while draining');
    inFlight.release();
    const response = await inFlight.closed;
    assert.match(response, /^HTTP\/1\.1 200 OK/);
    assert.match(response, /"serverInfo"/);
    assert.equal(await s.exited, 0);
    assert.ok(s.lines.some((l) => l.msg === 'drained; exiting'));
  });

  it('exits 1 when in-flight requests outlast SHUTDOWN_TIMEOUT_MS', async () => {
    const s = await start({ SHUTDOWN_TIMEOUT_MS: '300' });
    await slowPost(s.port, initialize, 20);
    await sleep(100);
    const t0 = Date.now();
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 1);
    assert.ok(Date.now() - t0 < 3000);
  });

  it('an address in use: exits 1 with a message naming it', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const child = spawn(process.execPath, [bundle], { cwd: imageDir, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const [code] = await once(child, 'exit');
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
      assert.doesNotMatch(stderr, /destructure/);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('takes its headers timeout and connection cap from HEADERS_TIMEOUT_MS and MAX_CONNECTIONS', async () => {
    const s = await start({ HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '300', MAX_CONNECTIONS: '1' });
    const slow = net.connect(s.port, '127.0.0.1');
    slow.on('error', () => {});
    try {
      await once(slow, 'connect');
      let received = '';
      slow.on('data', (c: Buffer) => (received += c.toString()));
      // Headers that never end: cut, even though a second connection is refused meanwhile.
      slow.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const refused = await fetch(`http://127.0.0.1:${s.port}/healthz`).then(
        () => false,
        () => true,
      );
      assert.ok(refused, 'a second connection is refused');
      await once(slow, 'close');
      assert.match(received, /^HTTP\/1\.1 408/);
    } finally {
      slow.destroy();
      s.child.kill('SIGKILL');
    }
  });

  it('without MCP_SERVER: the front door, every server at /<name>/mcp and the primary (cost) also at /mcp; the log line lists them', async () => {
    const s = await start({ MCP_RESPONSE_MODE: 'json' });
    try {
      const base = `http://127.0.0.1:${s.port}`;
      const listening = s.lines.find((l) => l.msg === 'MCP server listening');
      assert.deepEqual(listening.servers, { cost: `${base}/cost/mcp`, text: `${base}/text/mcp` });
      assert.equal(listening.url, `${base}/mcp`);
      for (const [path, name] of [['/mcp', 'cost'], ['/cost/mcp', 'cost'], ['/text/mcp', 'text']] as const) {
        const res = await fetch(`${base}${path}`, { method: 'POST', headers: MCP_HEADERS, body: initialize });
        assert.equal(((await res.json()) as any).result.serverInfo.name, `mcp-on-aws-${name}`, path);
      }
      for (const path of ['/healthz', '/cost/healthz', '/text/healthz']) {
        const res = await fetch(`${base}${path}`);
        assert.equal(res.status, 200, path);
        await res.text();
      }
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('MCP_SERVER=text: that server alone, at /mcp and /text/mcp', async () => {
    const s = await start({ MCP_SERVER: 'text', MCP_RESPONSE_MODE: 'json' });
    try {
      const base = `http://127.0.0.1:${s.port}`;
      assert.deepEqual(s.lines.find((l) => l.msg === 'MCP server listening').servers, { text: `${base}/text/mcp` });
      for (const path of ['/mcp', '/text/mcp']) {
        const res = await fetch(`${base}${path}`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
        assert.deepEqual(((await res.json()) as any).result.tools.map((t: any) => t.name), ['analyze_text'], path);
      }
      const other = await fetch(`${base}/cost/mcp`, { method: 'POST', headers: MCP_HEADERS, body: initialize });
      assert.equal(other.status, 404);
      assert.match(((await other.json()) as any).error, /POST \/text\/mcp/);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('an unknown MCP_SERVER: exit 1 naming the servers it may name', () => {
    try {
      execFileSync(process.execPath, [bundle], { env: { ...process.env, PORT: '0', MCP_SERVER: 'costs' }, stdio: 'pipe' });
      assert.fail('expected the server to exit');
    } catch (err: any) {
      assert.equal(err.status, 1);
      assert.match(String(err.stderr), /MCP_SERVER: no server named "costs"; choose one of cost, text/);
    }
  });

  it('refuses an invalid environment with a message naming the variable', () => {
    let stderr = '';
    try {
      execFileSync(process.execPath, [bundle], { env: { ...process.env, PORT: 'eighty', MCP_RESPONSE_MODE: 'xml' }, stdio: 'pipe' });
      assert.fail('expected the server to exit');
    } catch (err: any) {
      assert.equal(err.status, 1);
      stderr = String(err.stderr);
    }
    assert.match(stderr, /PORT/);
    assert.match(stderr, /MCP_RESPONSE_MODE/);
    assert.match(stderr, /json|sse/);
  });
});
