// Bundles the app into single files: dist/lambda/index.js (exports `handler`) and dist/server/index.js.
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import path from 'node:path';

/** zod's `locales` namespace, resolved to English only. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)
        ? { path: path.resolve('scripts/shims/zod-locales.mjs') }
        : undefined,
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  alias: { 'iconv-lite': './scripts/shims/iconv-lite.cjs' },
  plugins: [zodEnglishOnly],
};

const bundles = [
  { entryPoints: ['app/lambda.ts'], outfile: 'dist/lambda/index.js' },
  { entryPoints: ['app/main.ts'], outfile: 'dist/server/index.js' },
];

await Promise.all(bundles.map((b) => build({ ...common, ...b })));
for (const { outfile } of bundles) {
  console.log(`${outfile}  ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
}
