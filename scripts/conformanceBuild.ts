// The bundles the conformance run tests: the ones that ship (scripts/bundles.ts: the container entry and
// the Lambda entry, same options), built from the server folders of another directory into a scratch
// outdir, so that neither app/servers nor dist/ (the product's build) is touched.
import { build, type Plugin } from 'esbuild';
import path from 'node:path';
import { SERVERS_DIR } from '../app/servers/folders';
import { bundleOptions, serversCatalogPlugin, type BundleSpec } from './bundles';

export interface ConformanceBundles {
  /** The container bundle (app/main.ts): every server of `dir`, MCP_SERVER picks one. */
  server: string;
  /** The Lambda bundle (app/lambda.ts) of `server` alone: exports `handler` and `streamHandler`. */
  lambda: string;
}

/** `spec`'s esbuild options with the catalog taken from `dir` (still replacing app/servers/catalog.ts) and written to `outfile`. */
async function buildFrom(spec: BundleSpec, dir: string, outfile: string): Promise<string> {
  const options = bundleOptions(spec);
  const catalog = serversCatalogPlugin({ dir, catalog: path.join(SERVERS_DIR, 'catalog.ts'), ...(spec.kind === 'lambda' ? { only: spec.server } : {}) });
  const plugins = (options.plugins ?? []).map((p: Plugin) => (p.name === catalog.name ? catalog : p));
  if (!plugins.includes(catalog)) throw new Error('scripts/bundles.ts no longer uses the servers-catalog plugin');
  const file = path.resolve(outfile);
  await build({ ...options, outfile: file, plugins });
  return file;
}

/** Builds the container bundle of the folders of `dir` and the Lambda bundle of its server `server` under `outdir`. */
export async function buildConformanceBundles(opts: { dir: string; server: string; outdir: string }): Promise<ConformanceBundles> {
  const [server, lambda] = await Promise.all([
    buildFrom({ kind: 'server' }, opts.dir, path.join(opts.outdir, 'server', 'index.js')),
    buildFrom({ kind: 'lambda', server: opts.server }, opts.dir, path.join(opts.outdir, 'lambda', opts.server, 'index.js')),
  ]);
  return { server, lambda };
}
