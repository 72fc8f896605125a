// Throughput of tools/call: this app (all its middleware on: logging, Host/Origin checks, body limit)
// against the MCP SDK's own minimal stateless servers, side by side, in alternating rounds: the v1
// SDK's example (simpleStatelessStreamableHttp) and the v2 SDK's createMcpHandler mounted on Express
// as its docs show (bench/reference/v2server.ts, bundled with the project's bundle options).
// Like for like: the app serves bench/servers/greet (the reference's one tool, as a server folder),
// built into the container bundle that ships (app/main.ts, scripts/bundles.ts options) and run as a
// container runs it (MCP_SERVER picks the server). The shipped text server's analyze_text is measured
// too, as information. BENCH_BASELINE=<container bundle of bench/servers> adds that bundle's greet as
// a further line, to compare two builds of the app in one run.
// Each server is called on the 2025-11-25 wire and on the 2026-07-28 wire; a server that does not
// answer one request of a wire correctly is reported "not supported" there, and not measured.
// Usage: node bench/throughput.mjs [seconds per round] [connections] [rounds]
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { tsImport } from 'tsx/esm/api';
import { freePort, startServer } from './lib.mjs';

const { bundleOptions } = await tsImport('../scripts/bundles.ts', import.meta.url);
const { judgeAnswer, legacyRequest, modernRequest, LEGACY_VERSION, MODERN_VERSION } = await tsImport('./mcpWire.ts', import.meta.url);
const { REFERENCE_TOOL } = await tsImport('./reference/v2handler.ts', import.meta.url);

const duration = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 20);
const rounds = Number(process.argv[4] ?? 2);

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });
const REFERENCE = 'bench/out/v2-reference/server.js';
await build({ ...bundleOptions({ kind: 'server' }), entryPoints: ['bench/reference/v2server.ts'], outfile: REFERENCE });
// The shipped container bundle, with the server folders of bench/servers instead of app/servers.
const APP_BUNDLE = execFileSync(process.execPath, ['--import', 'tsx', 'bench/appBundle.ts'], { encoding: 'utf8' }).trim();
const BASELINE = process.env.BENCH_BASELINE;

const APP = 'mcp-on-aws';
const ANALYZE = 'app analyze_text';
const BASE = 'app baseline';
const V1 = 'v1 sdk example';
const V2 = 'v2 sdk reference';
const WIRES = { [LEGACY_VERSION]: legacyRequest, [MODERN_VERSION]: modernRequest };

/** A container bundle serving MCP_SERVER alone at /mcp, logging at info to a discarded stdout, as deployed. */
const appServer = (bundle, server, tool) => (port) => ({
  url: `http://127.0.0.1:${port}/mcp`,
  start: () => startServer([bundle], { PORT: String(port), MCP_SERVER: server, LOG_LEVEL: 'info' }, `http://127.0.0.1:${port}/mcp`),
  tool,
});
const makers = {
  [APP]: appServer(APP_BUNDLE, 'greet', REFERENCE_TOOL),
  ...(BASELINE ? { [BASE]: appServer(BASELINE, 'greet', REFERENCE_TOOL) } : {}),
  [ANALYZE]: appServer('dist/server/index.js', 'text', { name: 'analyze_text', arguments: { text: 'The quick brown fox jumps over the lazy dog.' } }),
  [V1]: (port) => ({
    url: `http://127.0.0.1:${port}/mcp`,
    start: () =>
      startServer(
        ['-r', './bench/listen-port.cjs', 'node_modules/@modelcontextprotocol/sdk/dist/cjs/examples/server/simpleStatelessStreamableHttp.js'],
        { BENCH_PORT: String(port) },
        `http://127.0.0.1:${port}/mcp`,
      ),
    // Its one tool, asked for a single notification and no wait.
    tool: { name: 'start-notification-stream', arguments: { interval: 0, count: 1 } },
  }),
  [V2]: (port) => ({
    url: `http://127.0.0.1:${port}/mcp`,
    start: () => startServer([REFERENCE], { PORT: String(port) }, `http://127.0.0.1:${port}/mcp`),
    tool: REFERENCE_TOOL,
  }),
};
const servers = {};
for (const [name, make] of Object.entries(makers)) servers[name] = make(await freePort());

try {
  for (const s of Object.values(servers)) s.child = await s.start();
  // Which server answers which wire: one tools/call each, judged on its answer.
  const runsOf = [];
  const unsupported = {};
  for (const [wire, request] of Object.entries(WIRES)) {
    for (const [name, s] of Object.entries(servers)) {
      const { headers, body } = request('tools/call', s.tool);
      const res = await fetch(s.url, { method: 'POST', headers, body });
      const answer = judgeAnswer(res.status, res.headers.get('content-type') ?? undefined, await res.text());
      if (answer.ok) runsOf.push({ name, wire, url: s.url, headers, body, results: [] });
      else unsupported[`${name} ${wire}`] = answer.reason;
    }
  }

  const run = (r, seconds) =>
    autocannon({ url: r.url, method: 'POST', headers: r.headers, body: r.body, connections, duration: seconds, expectBody: undefined });
  for (const r of runsOf) await run(r, 2); // warm-up
  for (let round = 0; round < rounds; round++) {
    // Each round starts one further along, so that no server always runs first or last.
    const order = runsOf.map((_, i) => runsOf[(i + round) % runsOf.length]);
    for (const r of order) {
      const a = await run(r, duration);
      if (a.non2xx || a.errors) throw new Error(`${r.name} ${r.wire}: ${a.non2xx} non-2xx responses, ${a.errors} errors`);
      r.results.push({ rps: a.requests.average, p99: a.latency.p99 });
    }
  }

  const summary = (name, wire) => {
    const r = runsOf.find((x) => x.name === name && x.wire === wire);
    return r && { rps: r.results.reduce((a, x) => a + x.rps, 0) / r.results.length, p99: Math.max(...r.results.map((x) => x.p99)) };
  };
  const met = (ok) => (ok ? 'met' : 'NOT met');
  console.log(`tools/call, ${connections} connections, ${rounds} rounds x ${duration} s, node ${process.version}`);
  console.log(`${APP}: the greet tool of bench/servers/greet in the shipped container bundle; ${ANALYZE}: the text server, for information`);
  for (const wire of Object.keys(WIRES)) {
    console.log(`\n${wire} wire`);
    for (const name of Object.keys(servers)) {
      const s = summary(name, wire);
      console.log(
        `  ${name.padEnd(18)} ` +
          (s ? `${s.rps.toFixed(0).padStart(7)} req/s   p99 ${String(s.p99).padStart(4)} ms` : `not supported (${unsupported[`${name} ${wire}`]})`),
      );
    }
    const app = summary(APP, wire);
    const ratio = (a, b) => {
      const x = summary(a, wire);
      const y = summary(b, wire);
      if (x && y) console.log(`  ratio ${a} / ${b}: req/s ${(x.rps / y.rps).toFixed(2)}x, p99 ${(x.p99 / y.p99).toFixed(2)}x`);
    };
    ratio(APP, V2);
    ratio(APP, V1);
    if (BASELINE) ratio(APP, BASE);
    ratio(ANALYZE, V2);
    const v2 = summary(V2, wire);
    console.log(
      `  goal (issue 11): req/s >= ${V2} ` +
        (app && v2 ? `${met(app.rps >= v2.rps)}, p99 no worse ${met(app.p99 <= v2.p99)}` : 'NOT met, not measured on both'),
    );
  }
} finally {
  for (const s of Object.values(servers)) s.child?.kill();
}
