import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { z } from 'zod';
import { defineServer, defineTool, type ServerDefinition } from '../../app/mcp/define';
import { catalogFrom, choosePrimary, serverCatalog } from '../../app/servers/catalog';
import { listServerFolders, ServerFolderError, SERVERS_DIR } from '../../app/servers/folders';
import { bundleOutfile, bundleSpecs, serversCatalogPlugin } from '../../scripts/bundles';

const tool = (name: string) =>
  defineTool({ name, title: name, description: name, inputSchema: {}, outputSchema: { ok: z.boolean() }, run: () => ({ ok: true }) });
const server = (title: string, primary?: boolean): ServerDefinition => ({ title, instructions: title, tools: [], ...(primary ? { primary } : {}) });
const catalogOf = (defs: Record<string, ServerDefinition>) => catalogFrom(Object.fromEntries(Object.entries(defs).map(([n, d]) => [n, () => d])));

/** A temporary directory, removed after the test. */
function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

describe('server folders and the catalog (app/servers)', () => {
  it('the catalog has the cost and text folders, cost marked primary', () => {
    const catalog = serverCatalog();
    assert.deepEqual(catalog.names, ['cost', 'text']);
    assert.equal(catalog.load('cost').primary, true);
    assert.equal(catalog.load('text').primary, undefined);
    assert.throws(() => catalog.load('nope'), /no server named "nope" \(servers: cost, text\)/);
  });

  describe('listServerFolders on a folder of its own', () => {
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(() => {
      tmp = tempDir('mcp-servers-');
    });
    afterEach(() => tmp.remove());

    it('refuses every folder whose name cannot name a server, in one error naming each', () => {
      writeFiles(tmp.dir, {
        'good/index.ts': '',
        'Bad_Name/index.ts': '',
        'mcp/index.ts': '',
        // The names of the program's own resources beside the servers': discovery-service, the EKS Ingress mcp-front-door.
        'service/index.ts': '',
        'front-door/index.ts': '',
        'a-name-of-twenty-one1/index.ts': '',
      });
      const err = (() => {
        try {
          listServerFolders(tmp.dir);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(err instanceof ServerFolderError, 'a ServerFolderError');
      assert.equal(err.problems.length, 5);
      assert.match(err.message, /"Bad_Name"/);
      assert.match(err.message, /"mcp" is reserved/);
      assert.match(err.message, /"service" is reserved/);
      assert.match(err.message, /"front-door" is reserved/);
      assert.match(err.message, /"a-name-of-twenty-one1"/);
    });

    it('ignores _shared and dot folders, and folders without an index.ts', () => {
      writeFiles(tmp.dir, {
        'beta/index.ts': '',
        'alpha/index.ts': '',
        '_shared/index.ts': '',
        '.hidden/index.ts': '',
        'notes/README.md': '',
        'loose.ts': '',
      });
      assert.deepEqual(listServerFolders(tmp.dir), ['alpha', 'beta']);
    });
  });

  describe('choosePrimary', () => {
    it('the folder marked primary, wherever it sorts', () => {
      const catalog = catalogOf({ alpha: server('a'), zeta: server('z', true) });
      assert.equal(choosePrimary(catalog, ['alpha', 'zeta']), 'zeta');
    });

    it('without a mark, the first deployed name in alphabetical order', () => {
      const catalog = catalogOf({ beta: server('b'), alpha: server('a') });
      assert.equal(choosePrimary(catalog, ['beta', 'alpha']), 'alpha');
    });

    it('the marked folder left out of the deployment: the first deployed name', () => {
      const catalog = catalogOf({ alpha: server('a', true), beta: server('b'), gamma: server('g') });
      assert.equal(choosePrimary(catalog, ['gamma', 'beta']), 'beta');
    });

    it('refuses two folders marked primary, naming both', () => {
      const catalog = catalogOf({ alpha: server('a', true), beta: server('b', true) });
      assert.throws(() => choosePrimary(catalog, ['alpha', 'beta']), /servers alpha and beta both say primary: true; at most one may/);
    });
  });

  describe('defineServer', () => {
    it('refuses two tools of one name', () => {
      assert.throws(
        () => defineServer({ title: 'Twice', instructions: 'x', tools: [tool('echo'), tool('echo')] }),
        /server "Twice": two tools are named echo/,
      );
    });

    it('refuses a tool name MCP clients do not accept', () => {
      assert.throws(() => defineServer({ title: 'Spaces', instructions: 'x', tools: [tool('two words')] }), /tool name "two words" must be/);
    });

    it('refuses a minBodyBytes that is not a positive whole number', () => {
      assert.throws(() => defineServer({ title: 'Body', instructions: 'x', tools: [], minBodyBytes: -1 }), /minBodyBytes must be a positive whole number/);
    });
  });
});

describe('the bundles (scripts/bundles.ts)', function () {
  this.timeout(60_000);

  it('one Lambda bundle per server folder, one container server bundle, the agent’s two, and the synthetic check’s', () => {
    assert.deepEqual(bundleSpecs().map(bundleOutfile), [
      'dist/lambda/cost/index.js',
      'dist/lambda/text/index.js',
      'dist/server/index.js',
      'dist/agent-lambda/index.js',
      'dist/agent/index.js',
      'dist/synthetic/index.js',
    ]);
  });

  /** Bundles `entry` (TypeScript) with `plugin`, runs it with node and answers what it printed, parsed. */
  async function bundleAndRun(dir: string, entry: string, plugin: ReturnType<typeof serversCatalogPlugin>): Promise<any> {
    const entryFile = path.join(dir, 'entry.ts');
    writeFileSync(entryFile, entry);
    const outfile = path.join(dir, 'out.js');
    await build({ entryPoints: [entryFile], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent', plugins: [plugin] });
    return JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }));
  }

  it('the generated catalog lists the server folders, or only the one a Lambda bundle is for', async () => {
    const tmp = tempDir('mcp-catalog-');
    try {
      const entry = `import { serverCatalog } from ${JSON.stringify(path.join(SERVERS_DIR, 'catalog.ts'))};
        const c = serverCatalog();
        console.log(JSON.stringify({ names: c.names, titles: c.names.map((n) => c.load(n).title) }));`;
      const all = await bundleAndRun(tmp.dir, entry, serversCatalogPlugin());
      assert.deepEqual(all.names, listServerFolders());
      assert.deepEqual(all.titles, ['AWS hosting cost', 'Text']);
      const one = await bundleAndRun(tmp.dir, entry, serversCatalogPlugin({ only: 'text' }));
      assert.deepEqual(one, { names: ['text'], titles: ['Text'] });
    } finally {
      tmp.remove();
    }
  });

  it('loads a server lazily: only the selected server’s module runs (a probe folder in a temp dir)', async () => {
    const tmp = tempDir('mcp-lazy-');
    try {
      // Each probe server records, at the top level of its module, that it ran.
      const probe = (name: string) =>
        `const ran: string[] = ((globalThis as any).ran ??= []);\nran.push(${JSON.stringify(name)});\n` +
        `export default { title: ${JSON.stringify(name)}, instructions: '', tools: [] };\n`;
      writeFiles(tmp.dir, {
        'servers/catalog.ts': 'throw new Error("the plugin replaces this file");\n',
        'servers/alpha/index.ts': probe('alpha'),
        'servers/beta/index.ts': probe('beta'),
        'servers/gamma/index.ts': probe('gamma'),
      });
      const entry = `import { serverCatalog } from './servers/catalog';
        const c = serverCatalog();
        const before = [...((globalThis as any).ran ?? [])];
        const title = c.load('beta').title;
        console.log(JSON.stringify({ names: c.names, before, after: (globalThis as any).ran, title }));`;
      const out = await bundleAndRun(tmp.dir, entry, serversCatalogPlugin({ dir: path.join(tmp.dir, 'servers') }));
      assert.deepEqual(out, { names: ['alpha', 'beta', 'gamma'], before: [], after: ['beta'], title: 'beta' });
    } finally {
      tmp.remove();
    }
  });
});
