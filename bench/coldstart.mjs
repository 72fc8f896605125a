// Lambda cold start: the bundle's size, and how long a fresh `node` process takes to load the handler
// and answer its first `initialize` (measured from process start, so Node's own boot is included),
// beside the same app unbundled (compiled file by file, dependencies loaded from node_modules).
// Runs on Node 22, Lambda's runtime (fetched with npx when this machine's node is older).
// Usage: node bench/coldstart.mjs [runs]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { median } from './lib.mjs';

const runs = Number(process.argv[2] ?? 15);
/** The Lambda bundle of the primary server, cost. */
const BUNDLE = 'dist/lambda/cost/index.js';
const node22 =
  Number(process.versions.node.split('.')[0]) >= 22
    ? process.execPath
    : execFileSync('npx', ['-y', 'node@22', '-p', 'process.execPath'], { encoding: 'utf8' }).trim();
const nodeVersion = execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });

// The unbundled app: every app/*.ts compiled alone, beside a copy of package.json.
const outDir = 'bench/out/unbundled';
rmSync(outDir, { recursive: true, force: true });
const sources = readdirSync('app', { recursive: true }).filter((f) => f.endsWith('.ts')).map((f) => path.join('app', f));
await build({ entryPoints: sources, outdir: path.join(outDir, 'app'), platform: 'node', format: 'cjs', target: 'node22', logLevel: 'warning' });
mkdirSync(outDir, { recursive: true });
copyFileSync('package.json', path.join(outDir, 'package.json'));
// The catalog as the Lambda bundle of `cost` has it (the source form scans for index.ts files, which compiled output lacks).
writeFileSync(
  path.join(outDir, 'app/servers/catalog.js'),
  "const core = require('./catalogCore');\n" +
    'exports.catalogFrom = core.catalogFrom;\nexports.choosePrimary = core.choosePrimary;\n' +
    "exports.serverCatalog = () => core.catalogFrom({ cost: () => require('./cost').default });\n",
);

const probe = (handlerPath) => `
const event = ${JSON.stringify(initializeEvent())};
const t0 = performance.now();
const { handler } = require(${JSON.stringify(path.resolve(handlerPath))});
const loaded = performance.now();
handler(event, { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 }).then((res) => {
  if (res.statusCode !== 200) throw new Error('status ' + res.statusCode);
  const done = performance.now();
  process.stdout.write(JSON.stringify({ total: done, require: loaded - t0, firstInvoke: done - loaded }));
});`;

function measure(handlerPath) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(node22, ['-e', probe(handlerPath)], { env: { ...process.env, LOG_LEVEL: 'silent' }, encoding: 'utf8' });
    samples.push(JSON.parse(out));
  }
  return Object.fromEntries(['total', 'require', 'firstInvoke'].map((k) => [k, median(samples.map((s) => s[k]))]));
}

function initializeEvent() {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  });
  return {
    version: '2.0',
    routeKey: 'POST /mcp',
    rawPath: '/mcp',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', host: 'x.execute-api.us-east-1.amazonaws.com' },
    requestContext: { http: { method: 'POST', path: '/mcp', protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'bench' }, stage: '$default', requestId: 'r', domainName: 'x.execute-api.us-east-1.amazonaws.com', apiId: 'x' },
    body,
    isBase64Encoded: false,
  };
}

const bundled = measure(BUNDLE);
const unbundled = measure(path.join(outDir, 'app/lambda.js'));
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB (${(bytes / 1e6).toFixed(2)} MB)`;
console.log(`node ${nodeVersion}, median of ${runs} fresh processes each`);
console.log(`bundle ${BUNDLE}: ${kib(statSync(BUNDLE).size)}`);
for (const [name, r] of [['bundled', bundled], ['unbundled', unbundled]]) {
  console.log(
    `${name.padEnd(10)} first initialize answered ${r.total.toFixed(0).padStart(4)} ms after process start` +
      `  (node boot ${(r.total - r.require - r.firstInvoke).toFixed(0)} ms, require ${r.require.toFixed(0)} ms, first invoke ${r.firstInvoke.toFixed(0)} ms)`,
  );
}
