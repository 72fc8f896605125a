import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../app/createApp';
import { cost } from './testServers';
import { listen } from '../../app/serve';
import { silentLogger } from '../helpers/http';
import { captureLog } from './logCapture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection to 127.0.0.1:`port` that collects what it receives until it closes. */
async function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString()));
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => received);
  await once(socket, 'connect');
  return { socket, closed, received: () => received };
}

/** Resolves when `server` has accepted `n` connections in all since this was called. */
function accepted(server: Server, n: number): Promise<void> {
  return new Promise((resolve) => {
    let count = 0;
    const onConnection = () => {
      if (++count < n) return;
      server.off('connection', onConnection);
      resolve();
    };
    server.on('connection', onConnection);
  });
}

const GET_HEALTH = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

describe('listen (app/serve.ts): slow clients, the connection cap, and listen errors', function () {
  this.timeout(10_000);
  const log = captureLog();
  let server: Server;
  let port: number;

  // Small bounds, so that the test runs in well under a second each.
  before(async () => {
    server = await listen(createApp(cost, { logger: silentLogger }), {
      host: '127.0.0.1',
      port: 0,
      keepAliveTimeoutMs: 5_000,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
      maxConnections: 3,
      logger: log.logger,
      message: 'listening',
    });
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a client that sends its headers slowly is answered 408 and disconnected', async () => {
    const client = await connect(port);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // One more header line every 50 ms, never the end of the headers.
    let n = 0;
    const drip = setInterval(() => client.socket.write(`X-Slow-${n++}: 1\r\n`), 50);
    try {
      // Node's default check interval (30 s) would keep it past this test's timeout.
      const received = await client.closed;
      assert.match(received, /^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
      client.socket.destroy();
    }
  });

  it('a client that sends its body slowly is disconnected too', async () => {
    const client = await connect(port);
    client.socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const drip = setInterval(() => client.socket.write(' '), 50);
    try {
      await client.closed;
    } finally {
      clearInterval(drip);
      client.socket.destroy();
    }
  });

  it('an idle keep-alive connection outlives the headers timeout and serves its next request', async () => {
    const client = await connect(port);
    try {
      client.socket.write(GET_HEALTH);
      while (!client.received().includes('{"status":"ok"}')) await once(client.socket, 'data');
      assert.match(client.received(), /Keep-Alive: timeout=5/);
      // Idle for more than twice the headers timeout (and many check intervals).
      await sleep(800);
      assert.equal(client.socket.destroyed, false, 'still open');
      client.socket.write(GET_HEALTH);
      while (client.received().split('{"status":"ok"}').length < 3) await once(client.socket, 'data');
    } finally {
      client.socket.destroy();
    }
  });

  it('refuses connections beyond maxConnections, logs it, and serves again once one closes', async () => {
    log.clear();
    const three = accepted(server, 3);
    const held = [await connect(port), await connect(port), await connect(port)];
    await three;
    try {
      const extra = await connect(port);
      assert.equal(await extra.closed, '', 'closed without an answer');
      const line = await log.next((l) => l.msg.startsWith('connection limit reached'));
      assert.equal(line.level, 40);
      assert.equal(line.maxConnections, 3);
      held.pop()!.socket.destroy();
      const connections = () => new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
      while ((await connections()) >= 3) await sleep(10);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: 'close' } });
      assert.equal(res.status, 200);
      await res.text();
    } finally {
      for (const c of held) c.socket.destroy();
    }
  });

  it('an address in use: an error naming the address, not a crash', async () => {
    const err = await listen(createApp(cost, { logger: silentLogger }), {
      host: '127.0.0.1',
      port,
      keepAliveTimeoutMs: 5_000,
      logger: silentLogger,
      message: 'listening',
    }).then(
      () => assert.fail('expected listen to fail'),
      (e: Error) => e,
    );
    assert.equal(err.message, `Cannot listen on 127.0.0.1:${port}: the address is already in use (another process listens there; set another port)`);
  });
});
