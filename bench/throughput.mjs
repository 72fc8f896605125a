// Throughput of tools/call: this app (all its middleware on: logging, Host/Origin checks, body limit)
// against the MCP SDK's own minimal stateless example server, side by side, in alternating rounds.
// Usage: node bench/throughput.mjs [seconds per round] [connections] [rounds]
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import { freePort, startServer } from './lib.mjs';

const duration = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 20);
const rounds = Number(process.argv[4] ?? 2);

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });
const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const call = (name, args) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });

const oursPort = await freePort();
const sdkPort = await freePort();
const servers = {
  'mcp-on-aws': {
    // analyze_text is the text server's: its own path at the front door.
    url: `http://127.0.0.1:${oursPort}/text/mcp`,
    // Logging stays on (info, to a discarded stdout), as deployed.
    child: await startServer(['dist/server/index.js'], { PORT: String(oursPort), LOG_LEVEL: 'info' }, `http://127.0.0.1:${oursPort}/mcp`),
    body: call('analyze_text', { text: 'The quick brown fox jumps over the lazy dog.' }),
  },
  'sdk example': {
    url: `http://127.0.0.1:${sdkPort}/mcp`,
    child: await startServer(
      ['-r', './bench/listen-port.cjs', 'node_modules/@modelcontextprotocol/sdk/dist/cjs/examples/server/simpleStatelessStreamableHttp.js'],
      { BENCH_PORT: String(sdkPort) },
      `http://127.0.0.1:${sdkPort}/mcp`,
    ),
    // Its one tool, asked for a single notification and no wait.
    body: call('start-notification-stream', { interval: 0, count: 1 }),
  },
};

const results = Object.fromEntries(Object.keys(servers).map((k) => [k, []]));
const run = (s, seconds) =>
  autocannon({ url: s.url, method: 'POST', headers, body: s.body, connections, duration: seconds, expectBody: undefined });

for (const s of Object.values(servers)) await run(s, 2); // warm-up
for (let round = 0; round < rounds; round++) {
  const order = round % 2 ? Object.keys(servers).reverse() : Object.keys(servers);
  for (const name of order) {
    const r = await run(servers[name], duration);
    if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx responses, ${r.errors} errors`);
    results[name].push({ rps: r.requests.average, p99: r.latency.p99 });
  }
}
for (const s of Object.values(servers)) s.child.kill();

const summary = Object.fromEntries(
  Object.entries(results).map(([name, rs]) => [
    name,
    { rps: rs.reduce((a, r) => a + r.rps, 0) / rs.length, p99: Math.max(...rs.map((r) => r.p99)) },
  ]),
);
console.log(`tools/call, ${connections} connections, ${rounds} rounds x ${duration} s, node ${process.version}`);
for (const [name, s] of Object.entries(summary)) {
  console.log(`${name.padEnd(12)} ${s.rps.toFixed(0).padStart(7)} req/s   p99 ${String(s.p99).padStart(4)} ms`);
}
console.log(`ratio (mcp-on-aws / sdk example): ${(summary['mcp-on-aws'].rps / summary['sdk example'].rps).toFixed(2)}`);
