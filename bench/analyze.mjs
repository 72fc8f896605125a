// analyze_text on the largest text its schema allows: how long the call takes, and the worst
// /healthz latency while it runs (/healthz asked every 10 ms), on this machine's node and on Node 22
// (Lambda's and the image's runtime; fetched with npx when this machine's node is older). Beside it,
// the reference: whole-text segmentation, as analyze_text did before; on Node 20, where its cost
// grows with the square of the length, on a shorter text so that it ends in reasonable time.
// Usage: node bench/analyze.mjs
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const REFERENCE_CAP_NODE20 = 50_000;

const nodes = [process.execPath];
if (Number(process.versions.node.split('.')[0]) < 22) {
  nodes.push(execFileSync('npx', ['-y', 'node@22', '-p', 'process.execPath'], { encoding: 'utf8' }).trim());
}

async function startServer(node) {
  const child = spawn(node, ['--import', 'tsx', 'bench/analyze-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  const { port, maxTextLength } = JSON.parse(line);
  return { child, url: `http://127.0.0.1:${port}`, maxTextLength };
}

// The largest text the schema allows, as the server reports it.
const probe = await startServer(process.execPath);
probe.child.kill('SIGTERM');
await once(probe.child, 'exit');
const MAX = probe.maxTextLength;

const fill = (parts, length) => {
  let text = '';
  for (let i = 0; text.length < length; i++) text += parts[i % parts.length];
  return text.slice(0, length);
};
const texts = {
  'Latin prose': fill(['The quick brown fox jumps over the lazy dog. ', 'Is it true? It is.\n\n', 'Mr. Smith said "Hello!" '], MAX),
  'CJK prose': fill(['我们今天去北京大学学习中文。', '他说这个问题很重要！', '日本語の文章も分割できますか？\n'], MAX),
  'emoji and marks': fill(['👩‍👩‍👧‍👦 ', 'cafe\u0301 ', '👍🏽! ', 'नमस्ते '], MAX),
};


/** Time of one POST, and the worst /healthz latency while it runs. */
async function measure(url, path, body) {
  let done = false;
  let worst = 0;
  const pings = (async () => {
    while (!done) {
      const t0 = performance.now();
      await (await fetch(`${url}/healthz`)).text();
      // Every ping sent while the call runs counts, also the one answered only when it ends.
      worst = Math.max(worst, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const t0 = performance.now();
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(body),
  });
  const out = await res.json();
  const ms = performance.now() - t0;
  done = true;
  await pings;
  if (res.status !== 200 || out.result?.isError) throw new Error(`${path}: ${res.status} ${JSON.stringify(out).slice(0, 200)}`);
  return { ms, worst };
}

const call = (text) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'analyze_text', arguments: { text } } });
const row = (...cells) => console.log(cells.map((c, i) => String(c).padEnd([10, 20, 16, 10, 12][i] ?? 0)).join(''));

row('node', 'approach', 'text', 'length', 'call', 'worst /healthz');
for (const node of nodes) {
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const { child, url } = await startServer(node);
  try {
    for (const [name, text] of Object.entries(texts)) {
      await measure(url, '/mcp', call(text.slice(0, 1000))); // warm up
      const r = await measure(url, '/mcp', call(text));
      row(version, 'pieces (analyze)', name, text.length, `${r.ms.toFixed(0)} ms`, `${r.worst.toFixed(0)} ms`);
      const cap = version.startsWith('v20.') ? REFERENCE_CAP_NODE20 : MAX;
      const ref = await measure(url, '/whole', { text: text.slice(0, cap) });
      row(version, 'whole (reference)', name, cap, `${ref.ms.toFixed(0)} ms`, `${ref.worst.toFixed(0)} ms`);
    }
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}
