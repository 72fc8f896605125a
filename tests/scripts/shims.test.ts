import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Express } from 'express';
import { bundleOptions } from '../../scripts/bundles';
import { listen } from '../helpers/http';
import { app as sourceApp } from './shimApp';

const PATHS = ['/json', '/html', '/text', '/bin', '/type/json', '/type/html', '/type/txt', '/type/bin'];

/** The status and Content-Type each path answers. */
async function contentTypes(app: Express): Promise<Record<string, string>> {
  const running = await listen(app);
  try {
    const out: Record<string, string> = {};
    for (const p of PATHS) {
      const res = await fetch(`${running.url}${p}`);
      await res.arrayBuffer();
      out[p] = `${res.status} ${res.headers.get('content-type')}`;
    }
    return out;
  } finally {
    await running.close();
  }
}

describe('the bundles\' shims (scripts/shims)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-shims-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('Express in a bundle (mime table cut to the types the apps use) answers the content types it answers from source', async () => {
    const outfile = path.join(dir, 'app.js');
    await build({ ...bundleOptions({ kind: 'server' }), entryPoints: [path.join(__dirname, 'shimApp.ts')], outfile, sourcemap: false });
    const bundled = (require(outfile) as { app: Express }).app;
    const expected = await contentTypes(sourceApp);
    assert.equal(expected['/html'], '200 text/html; charset=utf-8');
    assert.deepEqual(await contentTypes(bundled), expected);
  });

  it('a server\'s Lambda bundle reads secrets with the runtime\'s AWS SDK: the client is required, not bundled', async () => {
    const outfile = path.join(dir, 'secrets.js');
    await build({ ...bundleOptions({ kind: 'lambda', server: 'cost' }), entryPoints: [path.join(__dirname, '../../app/secrets.ts')], outfile, sourcemap: false });
    const code = readFileSync(outfile, 'utf8');
    assert.match(code, /(import|require)\("@aws-sdk\/client-secrets-manager"\)/);
    assert.ok(code.length < 200 * 1024, `${code.length} bytes`);
  });
});
