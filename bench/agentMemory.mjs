// Peak memory of the agent while an MCP server answers a tool call with a stream that never ends.
// A local server initializes like a real one, then streams one SSE event without end on tools/call
// (up to a safety cap); the agent runs as its own process (tsx) with CALL_TIMEOUT_MS = the stream's
// duration. Printed: the agent's status, the bytes the server managed to send, and the agent's peak
// RSS (VmHWM) before and during the call, beside the reference: the EKS agent's memory limit.
// Usage: node bench/agentMemory.mjs [seconds] [agent entry, default app/agent/main.ts] [MAX_RESPONSE_BYTES]
// (An older agent can be measured by giving the entry of a checkout of it.)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { freePort } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 3);
const entry = process.argv[3] ?? 'app/agent/main.ts';
const maxResponseBytes = process.argv[4];
const SAFETY_CAP = 1536 * 1024 * 1024; // the server stops there, so a runaway agent cannot take the machine
const EKS_LIMIT_MIB = 384;

let sent = 0;
const chunk = Buffer.alloc(64 * 1024, 'x');
const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    if (req.method !== 'POST') return res.writeHead(405).end();
    const msg = JSON.parse(Buffer.concat(parts).toString());
    if (msg.id === undefined) return res.writeHead(202).end();
    if (msg.method === 'initialize') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'flood', version: '1' } } }));
    }
    if (msg.method === 'tools/list') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { tools: [{ name: 'flood', inputSchema: { type: 'object' } }] } }));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`event: message\ndata: {"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"content":[{"type":"text","text":"`);
    let open = true;
    res.once('close', () => (open = false));
    const pump = () => {
      while (open && sent < SAFETY_CAP) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  });
});
const serverPort = await freePort();
await new Promise((r) => server.listen(serverPort, '127.0.0.1', r));

const agentPort = await freePort();
const env = {
  ...process.env,
  MCP_SERVERS: `http://127.0.0.1:${serverPort}/mcp`,
  AGENT_PORT: String(agentPort),
  HOST: '127.0.0.1',
  CALL_TIMEOUT_MS: String(seconds * 1000),
  LOG_LEVEL: 'error',
  ...(maxResponseBytes ? { MAX_RESPONSE_BYTES: maxResponseBytes } : {}),
};
const agent = spawn(process.execPath, ['-r', 'tsx/cjs', entry], { env, stdio: 'ignore' });
const mib = (kb) => (kb / 1024).toFixed(0);
const status = (field) => Number(/(\d+) kB/.exec(readFileSync(`/proc/${agent.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field)))[1]);

try {
  const base = `http://127.0.0.1:${agentPort}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`${base}/healthz`);
      break;
    } catch {
      if (i > 200) throw new Error('agent did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await fetch(`${base}/tools`).then((r) => r.text());
  const before = status('VmHWM');
  const started = Date.now();
  const res = await fetch(`${base}/tools/flood/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(seconds * 1000 + 30_000),
  }).catch((err) => ({ status: `failed (${err.message})`, text: async () => '' }));
  const body = (await res.text()).slice(0, 200);
  const peak = status('VmHWM');
  console.log(`agent ${entry}${maxResponseBytes ? ` MAX_RESPONSE_BYTES=${maxResponseBytes}` : ''}, stream for up to ${seconds} s`);
  console.log(`  answer: ${res.status} after ${Date.now() - started} ms: ${body}`);
  console.log(`  server sent ${(sent / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`  peak RSS: ${mib(before)} MiB before the call, ${mib(peak)} MiB after it (reference: EKS agent limit ${EKS_LIMIT_MIB} MiB)`);
} finally {
  agent.kill();
  server.closeAllConnections();
  server.close();
}
