import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { judge, pickTarget, readExpected } from '../../scripts/conformance';
import { buildConformanceBundles } from '../../scripts/conformanceBuild';
import { httpApiEvent } from '../helpers/httpApi';

const check = (id: string, status: string) => ({ id, status });

describe('the conformance run (scripts/conformance.ts)', () => {
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'mcp-conformance-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('tests the conformance server; --dir/--server choose another', () => {
    assert.deepEqual(pickTarget([]), { dir: 'tests/conformance/servers', server: 'everything' });
    assert.deepEqual(pickTarget(['--dir', 'x/servers', '--server', 'y']), { dir: 'x/servers', server: 'y' });
  });

  it('reads expected failures in the suites’ format, each with its reason, and refuses one without', () => {
    const file = path.join(tmp, 'a.yml');
    writeFileSync(file, 'server:\n  # no session to subscribe to\n  - resources-subscribe\n  - server-stateless:sep-x # JSON mode\n');
    assert.deepEqual([...readExpected(file).entries], [
      ['resources-subscribe', 'no session to subscribe to'],
      ['server-stateless:sep-x', 'JSON mode'],
    ]);
    writeFileSync(file, 'server:\n  # why\n  - a\n\n  - b\n');
    assert.throws(() => readExpected(file), /entry "b" has no reason/);
  });

  it('fails a scenario that fails unlisted, and one listed that passes; passes one listed that fails', () => {
    const expected = { file: 'x.yml', entries: new Map([['sub', 'stateless'], ['st:c2', 'JSON mode']]) };
    assert.equal(judge({ scenario: 'sub', checks: [check('c', 'FAILURE')] }, expected).verdict, 'expected failure');
    assert.equal(judge({ scenario: 'sub', checks: [check('c', 'SUCCESS')] }, expected).verdict, 'STALE');
    assert.equal(judge({ scenario: 'other', checks: [check('c', 'FAILURE')] }, expected).verdict, 'FAIL');
    assert.equal(judge({ scenario: 'other', checks: [check('c', 'SUCCESS'), check('w', 'WARNING')] }, expected).verdict, 'ok');
    assert.equal(judge({ scenario: 'st', checks: [check('c1', 'SUCCESS'), check('c2', 'FAILURE')] }, expected).verdict, 'expected failure');
    assert.equal(judge({ scenario: 'st', checks: [check('c1', 'FAILURE'), check('c2', 'FAILURE')] }, expected).verdict, 'FAIL');
    assert.equal(judge({ scenario: 'st', checks: [check('c1', 'SUCCESS'), check('c2', 'SUCCESS')] }, expected).verdict, 'STALE');
  });

  it('builds the shipped bundles of a server folder outside app/servers: the container serves it alone, the Lambda handler answers as it', async function () {
    this.timeout(60_000);
    const dir = path.join(tmp, 'servers');
    mkdirSync(path.join(dir, 'probe'), { recursive: true });
    writeFileSync(path.join(dir, 'probe', 'index.ts'), "export default { title: 'Probe', instructions: 'probe-instructions', tools: [] };\n");
    const bundles = await buildConformanceBundles({ dir, server: 'probe', outdir: path.join(tmp, 'out') });

    const child = spawn(process.execPath, [bundles.server], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const servers = await new Promise<Record<string, string>>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the container bundle exited with ${code}`)));
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const entry = JSON.parse(line);
          if (entry.msg === 'MCP server listening') resolve(entry.servers);
        });
      });
      assert.deepEqual(Object.keys(servers), ['probe']);
    } finally {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }

    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    const event = httpApiEvent({
      method: 'POST',
      url: '/mcp',
      headers: [['content-type', 'application/json'], ['accept', 'application/json, text/event-stream']],
      body: Buffer.from(initialize),
    });
    const script = `require(${JSON.stringify(bundles.lambda)}).handler(JSON.parse(process.argv[1]), {}).then((r) => process.stdout.write(JSON.stringify(r)))`;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script, JSON.stringify(event)], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' } }));
    assert.equal(result.statusCode, 200);
    assert.equal(JSON.parse(result.body).result.instructions, 'probe-instructions');
  });
});
