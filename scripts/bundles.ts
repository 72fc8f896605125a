import { build, type BuildOptions, type Plugin } from 'esbuild';
import path from 'node:path';
import { listServerFolders, SERVERS_DIR } from '../app/servers/folders';

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

/**
 * The module that replaces `<dir>/catalog.ts` in a bundle: the shared catalog code and one lazy
 * `require('./<name>')` per server, so that a server's modules run only once it is loaded.
 */
export function generatedCatalog(names: readonly string[]): string {
  const core = JSON.stringify(path.join(SERVERS_DIR, 'catalogCore.ts'));
  const loaders = names.map((n) => `  ${JSON.stringify(n)}: () => require(${JSON.stringify(`./${n}`)}).default,`);
  return [
    `import { catalogFrom } from ${core};`,
    `export { catalogFrom, choosePrimary } from ${core};`,
    'const LOADERS = {',
    ...loaders,
    '};',
    'export function serverCatalog() {',
    '  return catalogFrom(LOADERS);',
    '}',
    '',
  ].join('\n');
}

/**
 * Replaces `catalog` (default `<dir>/catalog.ts`, i.e. app/servers/catalog.ts) with `generatedCatalog`
 * over the server folders of `dir` (default app/servers; relative to the project root), or over `only`
 * alone. The folder scan throws on a folder whose name cannot name a server.
 */
export function serversCatalogPlugin(opts: { only?: string; dir?: string; catalog?: string } = {}): Plugin {
  const dir = path.resolve(root, opts.dir ?? SERVERS_DIR);
  const catalogFile = path.resolve(root, opts.catalog ?? path.join(dir, 'catalog.ts'));
  return {
    name: 'servers-catalog',
    setup(build) {
      build.onLoad({ filter: /[\\/]catalog\.ts$/ }, (args) => {
        if (path.resolve(args.path) !== catalogFile) return undefined;
        const folders = listServerFolders(dir);
        if (opts.only !== undefined && !folders.includes(opts.only)) {
          throw new Error(`no server folder named "${opts.only}" in ${dir} (servers: ${folders.join(', ')})`);
        }
        const names = opts.only === undefined ? folders : [opts.only];
        return { contents: generatedCatalog(names), loader: 'ts', resolveDir: dir, watchFiles: [], watchDirs: [dir] };
      });
    },
  };
}

/** What a bundle is for. */
export type BundleSpec = { kind: 'lambda'; server: string } | { kind: 'server' } | { kind: 'agentLambda' } | { kind: 'agent' } | { kind: 'synthetic' };

/** Entry of each kind of bundle. */
const ENTRIES = {
  /** Exports `handler` (API Gateway HTTP API, buffered) and `streamHandler` (Function URL, RESPONSE_STREAM); one server. */
  lambda: 'app/lambda.ts',
  /** The container and local server: every server, MCP_SERVER picks one. */
  server: 'app/main.ts',
  /** The agent on Lambda: exports `handler`. */
  agentLambda: 'app/agent/lambda.ts',
  /** The agent in a container. */
  agent: 'app/agent/main.ts',
  /** The synthetic check, run on a schedule: exports `handler`. */
  synthetic: 'app/synthetic/lambda.ts',
} as const;

/** The bundle's file, relative to the project root. */
export function bundleOutfile(spec: BundleSpec): string {
  switch (spec.kind) {
    case 'lambda':
      return `dist/lambda/${spec.server}/index.js`;
    case 'server':
      return 'dist/server/index.js';
    case 'agentLambda':
      return 'dist/agent-lambda/index.js';
    case 'agent':
      return 'dist/agent/index.js';
    case 'synthetic':
      return 'dist/synthetic/index.js';
  }
}

/** Every bundle of the project: one Lambda bundle per server folder, the container server, and the agent's two. */
export function bundleSpecs(servers: readonly string[] = listServerFolders()): BundleSpec[] {
  return [...servers.map((server) => ({ kind: 'lambda', server }) as const), { kind: 'server' }, { kind: 'agentLambda' }, { kind: 'agent' }, { kind: 'synthetic' }];
}

const specKey = (spec: BundleSpec) => (spec.kind === 'lambda' ? `lambda:${spec.server}` : spec.kind);
const built = new Map<string, Promise<string>>();

/** The esbuild options of a bundle. */
export function bundleOptions(spec: BundleSpec): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [ENTRIES[spec.kind]],
    outfile: bundleOutfile(spec),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    // body-parser's decoder, cut to the encodings JSON uses (iconv-lite is 480 KiB of code pages).
    // mime-db, cut to the types the apps answer with (mime-types indexes every type at load).
    alias: { 'iconv-lite': './scripts/shims/iconv-lite.cjs', 'mime-db': './scripts/shims/mime-db.cjs' },
    // The Lambda runtime ships AWS SDK v3: a server function reads its secrets with the runtime's copy.
    external: spec.kind === 'lambda' ? ['@aws-sdk/client-secrets-manager'] : spec.kind === 'synthetic' ? ['@aws-sdk/*'] : [],
    plugins: [zodEnglishOnly, serversCatalogPlugin(spec.kind === 'lambda' ? { only: spec.server } : {})],
  };
}

/** Builds one single-file bundle with esbuild, once per process and spec; answers its absolute path. */
export function buildBundle(spec: BundleSpec): Promise<string> {
  const key = specKey(spec);
  let file = built.get(key);
  if (!file) {
    file = build(bundleOptions(spec)).then(() => path.join(root, bundleOutfile(spec)));
    // A failed build is tried again on the next call.
    file.catch(() => built.delete(key));
    built.set(key, file);
  }
  return file;
}
