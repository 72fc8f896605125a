// Bundles the app into single files: dist/lambda/index.js (exports `handler`) and dist/server/index.js.
import { build } from 'esbuild';
import { statSync } from 'node:fs';

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
};

const bundles = [
  { entryPoints: ['app/lambda.ts'], outfile: 'dist/lambda/index.js' },
  { entryPoints: ['app/main.ts'], outfile: 'dist/server/index.js' },
];

await Promise.all(bundles.map((b) => build({ ...common, ...b })));
for (const { outfile } of bundles) {
  console.log(`${outfile}  ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
}
