// How long the server (app/main.ts, default settings) keeps a slow client: one that sends a header
// line every 2 s and never ends its headers (slowloris), and one that sends its body a byte every 2 s.
// Usage: node bench/slowloris.mjs
import net from 'node:net';
import { freePort, startServer } from './lib.mjs';

const port = await freePort();
const child = await startServer(['node_modules/tsx/dist/cli.mjs', 'app/main.ts'], { PORT: String(port), LOG_LEVEL: 'silent' }, `http://127.0.0.1:${port}/mcp`);

/** Connects, writes `head`, then `drip()` every 2 s; resolves with the seconds until the server closes. */
function slowClient(head, drip) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let n = 0;
    const timer = setInterval(() => socket.write(drip(n++)), 2000);
    socket.on('error', () => {});
    // Read what the server sends (its 408), so that its close is seen as soon as it happens.
    socket.resume();
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Number(process.hrtime.bigint() - started) / 1e9);
    });
  });
}

const [headers, body] = await Promise.all([
  slowClient('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', (n) => `X-Slow-${n}: 1\r\n`),
  slowClient('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n', () => ' '),
]);
child.kill();
console.log(`slow headers: cut after ${headers.toFixed(1)} s (HEADERS_TIMEOUT_MS 20 s, checked every 1 s; before this bound: 329 s)`);
console.log(`slow body:    cut after ${body.toFixed(1)} s (REQUEST_TIMEOUT_MS 60 s, checked every 1 s; before: Node's default, 300 s)`);
