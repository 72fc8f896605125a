import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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
      assert.deepEqual(tools.tools.map((t: any) => t.servers[0]), [urls.mcp, urls.mcp]);
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
});
