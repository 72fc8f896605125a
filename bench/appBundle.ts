// Builds the container bundle that ships (app/main.ts with the project's bundle options) over the
// server folders of bench/servers instead of app/servers, into bench/out/app/; prints its path.
// Usage: tsx bench/appBundle.ts
import path from 'node:path';
import { buildConformanceBundles } from '../scripts/conformanceBuild';

const root = path.resolve(__dirname, '..');
buildConformanceBundles({ dir: path.join(root, 'bench/servers'), server: 'greet', outdir: path.join(root, 'bench/out/app') }).then(
  ({ server }) => console.log(server),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
