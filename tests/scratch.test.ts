// Adding a server is adding one folder: in a copy of the project, a new folder under app/servers/ and
// nothing else becomes a server of the program (under mocks), of the Lambda build, and of `npm start`.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { httpApiV2Event } from './fixtures/lambdaEvents';
import { killLocal, startLocal, stopLocal, type LocalRun } from './helpers/local';

const root = path.resolve(__dirname, '..');
const tsx = require.resolve('tsx/cjs');

const ECHO_SERVER = `import { defineServer } from '../../mcp/define';
import { echo } from './tools/echo';

export default defineServer({ title: 'Echo', instructions: 'Echoes text.', tools: [echo] });
`;
const ECHO_TOOL = `import { z } from 'zod';
import { defineTool } from '../../../mcp/define';

export const echo = defineTool({
  name: 'echo',
  title: 'Echo',
  description: 'Returns the text it is given.',
  inputSchema: { text: z.string() },
  outputSchema: { text: z.string() },
  run: ({ text }) => ({ text }),
});
`;

/** Runs node with tsx in `cwd` and answers its standard output. */
const node = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  execFileSync(process.execPath, ['-r', tsx, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });

describe('adding a server is adding a folder (in a copy of the project)', function () {
  this.timeout(180_000);
  let copy: string;
  let local: LocalRun | undefined;

  before(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'mcp-on-aws-scratch-'));
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && !f.startsWith('dist/'));
    for (const f of files) cpSync(path.join(root, f), path.join(copy, f), { force: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    mkdirSync(path.join(copy, 'app/servers/echo/tools'), { recursive: true });
    writeFileSync(path.join(copy, 'app/servers/echo/index.ts'), ECHO_SERVER);
    writeFileSync(path.join(copy, 'app/servers/echo/tools/echo.ts'), ECHO_TOOL);
  });

  after(() => {
    killLocal(local);
    rmSync(copy, { recursive: true, force: true });
  });

  it('the program deploys it on every target: a Cloud Map service, a route, the same URL', () => {
    const seen = JSON.parse(node(copy, ['-r', './tests/setup.ts', 'tests/scratch/probe.ts']).trim().split('\n').pop()!);
    for (const target of ['lambda', 'fargate', 'eks']) {
      const t = seen[target];
      assert.equal(t.servers.echo?.mcpUrl, 'https://mcp.example.com/echo/mcp', target);
      assert.equal(t.servers.echo.healthUrl, 'https://mcp.example.com/echo/healthz', target);
      assert.ok(t.cloudMapServices.includes('echo'), `${target}: Cloud Map services ${t.cloudMapServices}`);
    }
    assert.ok(seen.lambda.routes.includes('ANY /echo/mcp'), `lambda routes: ${seen.lambda.routes}`);
    assert.ok(seen.fargate.rulePaths.includes('/echo/mcp'), `fargate rules: ${seen.fargate.rulePaths}`);
    assert.ok(seen.eks.ingressPaths.includes('/echo/mcp'), `eks Ingress paths: ${seen.eks.ingressPaths}`);
  });

  it('the build makes its Lambda bundle, which serves its tools', () => {
    // npm run build's script, for the Lambda bundles only.
    const built = node(copy, ['scripts/build.ts', 'lambda']);
    assert.match(built, /^dist\/lambda\/echo\/index\.js /m);
    const bundle = path.join(copy, 'dist/lambda/echo/index.js');
    const event = httpApiV2Event(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }), { path: '/echo/mcp' });
    const answer = execFileSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event)}).then((r) => console.log(JSON.stringify(r)))`],
      { cwd: copy, env: { ...process.env, LOG_LEVEL: 'silent' }, encoding: 'utf8' },
    );
    const response = JSON.parse(answer.trim().split('\n').pop()!);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(JSON.parse(response.body).result.tools.map((t: { name: string }) => t.name), ['echo']);
  });

  it('npm start serves it, and the agent lists and calls its tool', async () => {
    local = startLocal(copy);
    {
      const { agent } = await local.ready;
      const tools = (await (await fetch(`${agent}/tools`)).json()) as { tools: { name: string; server: string }[] };
      assert.ok(tools.tools.some((t) => t.name === 'echo' && t.server === 'echo'), JSON.stringify(tools.tools.map((t) => [t.name, t.server])));
      const res = await fetch(`${agent}/tools/echo/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hello' }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { result: { structuredContent: unknown } }).result.structuredContent, { text: 'hello' });
      assert.equal(await stopLocal(local), 0);
    }
  });
});
