import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(__dirname, '../..');

describe('npm start (app/local.ts): the server and the agent together', function () {
  this.timeout(30_000);

  it('serves MCP, and the agent lists and calls its tools through the static list', async () => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'app/local.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', AGENT_PORT: '0', LOG_LEVEL: 'info', MCP_SERVERS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const urls: Record<string, string> = {};
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const entry = JSON.parse(line);
          if (entry.msg === 'MCP server listening') urls.mcp = entry.url;
          if (entry.msg === 'agent listening') urls.agent = entry.url;
          if (urls.mcp && urls.agent) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const tools = (await (await fetch(`${urls.agent}/tools`)).json()) as any;
      assert.deepEqual(tools.tools.map((t: any) => t.server), [new URL(urls.mcp!).hostname, new URL(urls.mcp!).hostname]);
      const res = await fetch(`${urls.agent}/tools/estimate_hosting_cost/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requestsPerMonth: 1_000_000, avgDurationMs: 200 }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as any).result.structuredContent.cheapest, 'lambda');
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  for (const which of ['PORT', 'AGENT_PORT']) {
    it(`exits 1 naming the address when ${which} is taken`, async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as net.AddressInfo;
      try {
        const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'app/local.ts'], {
          cwd: root,
          env: { ...process.env, PORT: '0', AGENT_PORT: '0', [which]: String(port), LOG_LEVEL: 'silent', MCP_SERVERS: '' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        const [code] = await once(child, 'exit');
        assert.equal(code, 1);
        assert.match(stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
      } finally {
        await new Promise((r) => taken.close(r));
      }
    });
  }
});
