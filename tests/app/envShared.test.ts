import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundles';

describe("the MCP server's Lambda bundle and the listener", () => {
  it("does not hold the container's listener (app/serve.ts, node:http): a Lambda function loads only what it runs", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcp-lambda-bundle-'));
    try {
      const result = await build({ ...bundleOptions({ kind: 'lambda', server: 'cost' }), outfile: path.join(dir, 'index.js'), sourcemap: false, metafile: true });
      const inputs = Object.keys(result.metafile.inputs);
      assert.ok(inputs.includes('app/envShared.ts'), 'the bundle parses its environment');
      assert.ok(!inputs.includes('app/serve.ts'), 'app/serve.ts is in the Lambda bundle');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
