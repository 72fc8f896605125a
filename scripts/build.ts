// npm run build: the single-file bundles, dist/lambda/index.js and dist/server/index.js.
import { statSync } from 'node:fs';
import { BUNDLES, buildBundle, type BundleName } from './bundles';

async function main() {
  for (const name of Object.keys(BUNDLES) as BundleName[]) {
    const file = await buildBundle(name);
    console.log(`${BUNDLES[name].outfile}  ${(statSync(file).size / 1024).toFixed(0)} KiB`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
