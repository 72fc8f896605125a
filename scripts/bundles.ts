import { build, type BuildOptions, type Plugin } from 'esbuild';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

/** zod's `locales` namespace, resolved to English only (the other ~40 translations are 300 KiB). */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)
        ? { path: path.join(root, 'scripts/shims/zod-locales.mjs') }
        : undefined,
    );
  },
};

export const BUNDLES = {
  /** Exports `handler` (API Gateway HTTP API, buffered) and `streamHandler` (Function URL, RESPONSE_STREAM). */
  lambda: { entry: 'app/lambda.ts', outfile: 'dist/lambda/index.js' },
  /** The container and local server. */
  server: { entry: 'app/main.ts', outfile: 'dist/server/index.js' },
  /** The agent on Lambda: exports `handler`. */
  agentLambda: { entry: 'app/agent/lambda.ts', outfile: 'dist/agent-lambda/index.js' },
  /** The agent in a container. */
  agent: { entry: 'app/agent/main.ts', outfile: 'dist/agent/index.js' },
} as const;

export type BundleName = keyof typeof BUNDLES;

/** Builds one single-file bundle with esbuild; answers its absolute path. */
export async function buildBundle(name: BundleName): Promise<string> {
  const { entry, outfile } = BUNDLES[name];
  const options: BuildOptions = {
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    // body-parser's decoder, cut to the encodings JSON uses (iconv-lite is 480 KiB of code pages).
    alias: { 'iconv-lite': './scripts/shims/iconv-lite.cjs' },
    plugins: [zodEnglishOnly],
  };
  await build(options);
  return path.join(root, outfile);
}
