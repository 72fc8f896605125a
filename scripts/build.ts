// npm run build: the single-file bundles (see bundleSpecs): dist/lambda/<server>/index.js for each
// server folder, dist/server/index.js, dist/agent-lambda/index.js and dist/agent/index.js.
// `tsx scripts/build.ts server agent` builds only the kinds named (the Docker image needs those two).
import { statSync } from 'node:fs';
import { bundleOutfile, bundleSpecs, buildBundle, type BundleSpec } from './bundles';

async function main(kinds: string[]) {
  const all = bundleSpecs();
  const known = [...new Set(all.map((s) => s.kind))];
  const unknown = kinds.filter((k) => !(known as string[]).includes(k));
  if (unknown.length) throw new Error(`unknown bundle kind ${unknown.join(', ')} (kinds: ${known.join(', ')})`);
  const specs: BundleSpec[] = kinds.length ? all.filter((s) => kinds.includes(s.kind)) : all;
  for (const spec of specs) {
    const file = await buildBundle(spec);
    console.log(`${bundleOutfile(spec)}  ${(statSync(file).size / 1024).toFixed(0)} KiB`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
