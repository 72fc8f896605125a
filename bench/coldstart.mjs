// Lambda cold start: the bundle's size, and how long a fresh `node` process takes to load the handler
// and answer its first request (measured from process start, so Node's own boot is included), for a
// 2025-11-25 `initialize` and for a 2026-07-28 `server/discover`. Beside the app's bundle: the same app
// unbundled (compiled file by file, dependencies loaded from node_modules), and the MCP SDK's minimal
// v2 server (bench/reference/v2lambda.ts) bundled with the same esbuild options, measured in the same
// run, interleaved. Then the ratios app / reference and the goals of issue 11.
// Runs on Node 22, Lambda's runtime (fetched with npx when this machine's node is older).
// Usage: node bench/coldstart.mjs [runs]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { tsImport } from 'tsx/esm/api';
import { median } from './lib.mjs';

const { bundleOptions } = await tsImport('../scripts/bundles.ts', import.meta.url);
const { judgeAnswer, legacyRequest, modernRequest } = await tsImport('./mcpWire.ts', import.meta.url);

const runs = Number(process.argv[2] ?? 15);
/** The Lambda bundle of the primary server, cost. */
const BUNDLE = 'dist/lambda/cost/index.js';
const REFERENCE = 'bench/out/v2-reference/index.js';
const GOALS = { medianMs: 120, bundleBytes: 1e6, ratio: 1.2 };
const node22 =
  Number(process.versions.node.split('.')[0]) >= 22
    ? process.execPath
    : execFileSync('npx', ['-y', 'node@22', '-p', 'process.execPath'], { encoding: 'utf8' }).trim();
const nodeVersion = execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });

// The reference: the project's Lambda bundle options, with the reference's entry.
await build({ ...bundleOptions({ kind: 'lambda', server: 'cost' }), entryPoints: ['bench/reference/v2lambda.ts'], outfile: REFERENCE });

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

/** An API Gateway HTTP API (payload 2.0) event for a request. */
function httpEvent({ headers, body }) {
  return {
    version: '2.0',
    routeKey: 'POST /mcp',
    rawPath: '/mcp',
    rawQueryString: '',
    headers: { ...headers, host: 'x.execute-api.us-east-1.amazonaws.com' },
    requestContext: { http: { method: 'POST', path: '/mcp', protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'bench' }, stage: '$default', requestId: 'r', domainName: 'x.execute-api.us-east-1.amazonaws.com', apiId: 'x' },
    body,
    isBase64Encoded: false,
  };
}

const REQUESTS = {
  'initialize (2025-11-25)': httpEvent(legacyRequest('initialize')),
  'server/discover (2026-07-28)': httpEvent(modernRequest('server/discover')),
};

/** What the fresh process runs: require the handler, invoke it once, print the times and the answer. */
const probe = (handlerPath, event) => `
const event = ${JSON.stringify(event)};
const t0 = performance.now();
const { handler } = require(${JSON.stringify(path.resolve(handlerPath))});
const loaded = performance.now();
handler(event, { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 }).then((res) => {
  const done = performance.now();
  const contentType = Object.entries(res.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const body = res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString('utf8') : res.body ?? '';
  process.stdout.write(JSON.stringify({ total: done, require: loaded - t0, firstInvoke: done - loaded, status: res.statusCode, contentType, body }));
});`;

function sample(handlerPath, event) {
  const out = execFileSync(node22, ['-e', probe(handlerPath, event)], { env: { ...process.env, LOG_LEVEL: 'silent' }, encoding: 'utf8' });
  return JSON.parse(out);
}

const series = [
  { name: 'app', file: BUNDLE },
  { name: 'app unbundled', file: path.join(outDir, 'app/lambda.js') },
  { name: 'v2 reference', file: REFERENCE },
].flatMap((s) => Object.entries(REQUESTS).map(([request, event]) => ({ ...s, request, event, samples: [], unsupported: undefined })));

// Interleaved: run i of every series, then run i + 1, so that a slower stretch of the machine hits all alike.
for (let i = 0; i < runs; i++) {
  for (const s of series) {
    if (s.unsupported) continue;
    const r = sample(s.file, s.event);
    const answer = judgeAnswer(r.status, r.contentType, r.body);
    if (!answer.ok) {
      if (i > 0) throw new Error(`${s.name}, ${s.request}: answered on run 1 but not on run ${i + 1}: ${answer.reason}`);
      s.unsupported = answer.reason;
      continue;
    }
    s.samples.push(r);
  }
}

const stats = (s) =>
  s.unsupported ? undefined : Object.fromEntries(['total', 'require', 'firstInvoke'].map((k) => [k, median(s.samples.map((x) => x[k]))]));
const find = (name, request) => series.find((s) => s.name === name && s.request === request);
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB (${(bytes / 1e6).toFixed(2)} MB)`;
const met = (ok) => (ok ? 'met' : 'NOT met');

const appBytes = statSync(BUNDLE).size;
const refBytes = statSync(REFERENCE).size;
console.log(`node ${nodeVersion}, median of ${runs} fresh processes each, first request answered after process start`);
console.log(`bundle app        ${BUNDLE}: ${kib(appBytes)}`);
console.log(`bundle reference  ${REFERENCE}: ${kib(refBytes)}   app / reference ${(appBytes / refBytes).toFixed(2)}x`);
for (const request of Object.keys(REQUESTS)) {
  console.log(`\n${request}`);
  for (const name of ['app', 'app unbundled', 'v2 reference']) {
    const s = find(name, request);
    const r = stats(s);
    console.log(
      `  ${name.padEnd(14)} ` +
        (r
          ? `${r.total.toFixed(0).padStart(4)} ms  (node boot ${(r.total - r.require - r.firstInvoke).toFixed(0)} ms, require ${r.require.toFixed(0)} ms, first invoke ${r.firstInvoke.toFixed(0)} ms)`
          : `not supported (${s.unsupported})`),
    );
  }
  const app = stats(find('app', request));
  const ref = stats(find('v2 reference', request));
  if (app && ref) console.log(`  ratio app / reference ${(app.total / ref.total).toFixed(2)}x`);
}

console.log('\ngoals (issue 11)');
console.log(`  bundle < 1 MB: ${met(appBytes < GOALS.bundleBytes)} (${(appBytes / 1e6).toFixed(2)} MB)`);
for (const request of Object.keys(REQUESTS)) {
  const app = stats(find('app', request));
  const ref = stats(find('v2 reference', request));
  if (!app) {
    console.log(`  ${request}: NOT met, not supported`);
    continue;
  }
  const ratio = ref ? app.total / ref.total : NaN;
  console.log(
    `  ${request}: median < ${GOALS.medianMs} ms ${met(app.total < GOALS.medianMs)} (${app.total.toFixed(0)} ms);` +
      ` <= ${GOALS.ratio}x reference ${met(ratio <= GOALS.ratio)} (${ratio.toFixed(2)}x)`,
  );
}
