// npm run test:conformance: the official MCP conformance suites against what ships.
//
// The conformance server (a server folder, by default tests/conformance/servers/everything: the suites'
// fixtures written with app/mcp/define.ts; `--dir <folders> --server <name>` picks another) is built into the
// shipped bundles (scripts/conformanceBuild.ts, into .conformance/) and served at two places:
//   direct  the container bundle (app/main.ts) on 127.0.0.1, SSE responses;
//   lambda  the Lambda bundle's `handler` behind a local stand-in for API Gateway HTTP API
//           (scripts/lambdaBridge.ts on Node 22), JSON responses, as deployed.
// At each place it runs the legacy suite (@modelcontextprotocol/conformance 0.1.16, every server
// scenario) and the 2026-07-28 requirements (conformance-next, --requirements 2026-07-28), both on Node 22.
// Expected failures: tests/conformance/expected-failures/<server>/<suite>.<place>.yml, in the suites'
// own format (`server:` entries `<scenario>` or `<scenario>:<check-id>`), each with its reason in a
// comment. It exits non-zero when a scenario fails that is not listed, and when a listed one passes.
// The product's front door (every server of app/servers, /mcp the primary) also gets the legacy suite's
// six scenarios that need no fixtures, as a smoke check.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { node22Binary } from '../tests/helpers/lambdaRuntime';
import { bundleOptions } from './bundles';
import { buildConformanceBundles } from './conformanceBuild';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.conformance');
const CONFORMANCE_DIR = 'tests/conformance/servers';
const CONFORMANCE_SERVER = 'everything';
const EXPECTED_DIR = path.join(ROOT, 'tests/conformance/expected-failures');

const SUITES = {
  legacy: { cli: 'node_modules/@modelcontextprotocol/conformance/dist/index.js', args: ['--suite', 'all'] },
  '2026-07-28': { cli: 'node_modules/conformance-next/dist/index.js', args: ['--requirements', '2026-07-28'] },
} as const;
type Suite = keyof typeof SUITES;
const PLACES = ['direct', 'lambda'] as const;
type Place = (typeof PLACES)[number];
/** The front door smoke check: the legacy scenarios that apply to a server with no fixtures. */
const SMOKE = ['server-initialize', 'ping', 'tools-list', 'prompts-list', 'resources-list', 'dns-rebinding-protection'];
/** A whole suite run is stopped after this long (a scenario that waits for a client timeout takes 30 s). */
const SUITE_TIMEOUT_MS = 180_000;

interface Check {
  id: string;
  name?: string;
  status: string;
  errorMessage?: string;
}
interface ScenarioResult {
  scenario: string;
  checks: Check[];
  /** Run, but not scored by the requirement set (extensions, pending). */
  notScored?: boolean;
}
interface Expected {
  /** `<scenario>` or `<scenario>:<check-id>` → its reason. */
  entries: Map<string, string>;
  file: string;
}

/** The server folders directory and server under test: --dir/--server, else the conformance server when its folder exists, else cost. */
export function pickTarget(argv: readonly string[]): { dir: string; server: string } {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return { dir: flag('--dir') ?? CONFORMANCE_DIR, server: flag('--server') ?? CONFORMANCE_SERVER };
}

/**
 * The expected failures of one suite × place (the suites' own format), with each entry's reason: the
 * comment on its line, or the comment lines right above it. Throws on an entry without one.
 */
export function readExpected(file: string): Expected {
  const entries = new Map<string, string>();
  if (!existsSync(file)) return { entries, file };
  const text = readFileSync(file, 'utf8');
  const listed = ((parseYaml(text) as { server?: unknown[] } | null)?.server ?? []).map(String);
  let comments: string[] = [];
  for (const line of text.split('\n')) {
    const comment = /^\s*#\s?(.*)$/.exec(line);
    const item = /^\s*-\s*(['"]?)([^\s#'"]+)\1\s*(?:#\s?(.*))?$/.exec(line);
    if (comment) comments.push(comment[1]!.trim());
    else if (item) {
      const reason = (item[3] ?? comments.join(' ')).trim();
      if (!reason) throw new Error(`${file}: entry "${item[2]}" has no reason (a comment on its line or the lines above)`);
      entries.set(item[2]!, reason);
      comments = [];
    } else comments = [];
  }
  const read = [...entries.keys()];
  if (read.length !== listed.length || read.some((e, i) => e !== listed[i])) {
    throw new Error(`${file}: write one entry per line, as "- <scenario>" or "- <scenario>:<check-id>", under "server:"`);
  }
  return { entries, file };
}

type Verdict = 'ok' | 'FAIL' | 'expected failure' | 'STALE';

/** A scenario's verdict against the expected failures, and what to say about it. */
export function judge(result: ScenarioResult, expected: Expected): { verdict: Verdict; notes: string[] } {
  const failing = result.checks.filter((c) => c.status === 'FAILURE');
  const whole = expected.entries.get(result.scenario);
  const perCheck = [...expected.entries.keys()].filter((e) => e.startsWith(`${result.scenario}:`));
  const describe = (c: Check) => `${c.id}: ${(c.errorMessage ?? c.name ?? '').split('\n')[0]}`;
  if (whole !== undefined) {
    return failing.length
      ? { verdict: 'expected failure', notes: [whole] }
      : { verdict: 'STALE', notes: [`listed as an expected failure in ${path.relative(ROOT, expected.file)}, but it passes: remove the entry`] };
  }
  const allowed = new Set(perCheck.map((e) => e.slice(result.scenario.length + 1)));
  const unexpected = failing.filter((c) => !allowed.has(c.id));
  const stale = [...allowed].filter((id) => !failing.some((c) => c.id === id));
  if (unexpected.length) return { verdict: 'FAIL', notes: unexpected.map(describe) };
  if (stale.length) return { verdict: 'STALE', notes: stale.map((id) => `check ${id} is listed as an expected failure but passes: remove the entry`) };
  if (failing.length) return { verdict: 'expected failure', notes: failing.map((c) => `${c.id}: ${expected.entries.get(`${result.scenario}:${c.id}`)}`) };
  return { verdict: 'ok', notes: [] };
}

// ---- child processes ---------------------------------------------------------------------------

const children = new Set<ChildProcess>();

/** Starts `args` and resolves the URL its JSON log line `msg` carries. */
function startServer(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, msg: string): Promise<string> {
  const child = spawn(cmd, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${label} exited (${code ?? signal}) before listening:\n${output}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === msg && entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
  });
}

/** Runs a command to its end (or `timeoutMs`); resolves its output, whatever its exit code. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ output: string; code: number | null }> {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => {
    output += `\n(stopped after ${timeoutMs / 1000} s)\n`;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ output, code });
    }),
  );
}

/** SIGTERM to every child still running; SIGKILL, said so, to any still running 10 s later. */
async function stopAll(): Promise<void> {
  const running = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  const exited = running.map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()))));
  for (const c of running) c.kill('SIGTERM');
  const drained = await Promise.race([Promise.all(exited).then(() => true), new Promise<boolean>((r) => setTimeout(r, 10_000, false).unref())]);
  if (!drained) {
    for (const c of running) {
      if (c.exitCode === null && c.signalCode === null) {
        console.log(`${c.spawnargs.join(' ')} had not exited 10 s after SIGTERM: killed`);
        c.kill('SIGKILL');
      }
    }
    await Promise.all(exited);
  }
}

// ---- suites --------------------------------------------------------------------------------------

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** The scored server scenarios of a requirement set (conformance-next's frozen list). */
function scoredScenarios(revision: string): Set<string> {
  const file = path.join(ROOT, 'node_modules/conformance-next/requirements', `${revision}.yaml`);
  return new Set((parseYaml(readFileSync(file, 'utf8')) as { server: string[] }).server);
}

/**
 * Runs `suite` against `url` (all its scenarios in one process, results in `outDir`) and answers each
 * scenario's checks. A scenario the summary lists without a checks.json failed to run: one FAILURE.
 */
async function runSuite(node22: string, suite: Suite, url: string, outDir: string): Promise<{ results: ScenarioResult[]; output: string }> {
  rmSync(outDir, { recursive: true, force: true });
  const { cli, args } = SUITES[suite];
  const { output } = await run(node22, [cli, 'server', '--url', url, ...args, '-o', outDir], SUITE_TIMEOUT_MS);
  const text = stripAnsi(output);
  const summary = text.slice(text.lastIndexOf('=== SUMMARY ===') >= 0 ? text.lastIndexOf('=== SUMMARY ===') : text.length);
  const names = [...summary.matchAll(/^[✓✗] ([\w/.-]+): \d+ passed, \d+ failed/gm)].map((m) => m[1]!);
  const dirs = existsSync(outDir) ? readdirSync(outDir) : [];
  const scored = suite === '2026-07-28' ? scoredScenarios('2026-07-28') : undefined;
  const results = names.map((scenario): ScenarioResult => {
    const dir = dirs.find((d) => d.replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, '') === `server-${scenario}`);
    const checks: Check[] = dir
      ? (JSON.parse(readFileSync(path.join(outDir, dir, 'checks.json'), 'utf8')) as Check[])
      : [{ id: scenario, status: 'FAILURE', errorMessage: 'the scenario did not run to its end (no checks.json)' }];
    return { scenario, checks, ...(scored && !scored.has(scenario) ? { notScored: true } : {}) };
  });
  if (scored) for (const s of scored) if (!names.includes(s)) results.push({ scenario: s, checks: [{ id: s, status: 'FAILURE', errorMessage: 'not run' }] });
  if (!results.length) throw new Error(`the ${suite} suite reported no scenario:\n${text}`);
  return { results, output: text };
}

const counts = (checks: Check[]) => ({
  passed: checks.filter((c) => c.status === 'SUCCESS').length,
  total: checks.filter((c) => c.status === 'SUCCESS' || c.status === 'FAILURE').length,
});

interface Row {
  label: string;
  scenarios: number;
  scenariosPassed: number;
  checks: number;
  checksPassed: number;
  expected: number;
  bad: number;
}

/** Prints one line per scenario and answers the row of the table. */
function report(label: string, results: ScenarioResult[], expected: Expected): Row {
  const row: Row = { label, scenarios: 0, scenariosPassed: 0, checks: 0, checksPassed: 0, expected: 0, bad: 0 };
  const seen = new Set<string>();
  for (const result of results) {
    seen.add(result.scenario);
    const { passed, total } = counts(result.checks);
    if (result.notScored) {
      const failed = result.checks.some((c) => c.status === 'FAILURE');
      console.log(`-     ${label}  ${result.scenario}  (${passed}/${total} checks${failed ? ', failing' : ''}; not scored for 2026-07-28)`);
      continue;
    }
    const { verdict, notes } = judge(result, expected);
    row.scenarios++;
    row.checks += total;
    row.checksPassed += passed;
    if (verdict === 'ok') row.scenariosPassed++;
    if (verdict === 'expected failure') row.expected++;
    if (verdict === 'FAIL' || verdict === 'STALE') row.bad++;
    const tag = { ok: 'ok  ', FAIL: 'FAIL', 'expected failure': 'xfail', STALE: 'STALE' }[verdict];
    console.log(`${tag.padEnd(5)} ${label}  ${result.scenario}  (${passed}/${total} checks)`);
    for (const note of notes) console.log(`        ${verdict === 'expected failure' ? 'expected: ' : ''}${note}`);
  }
  for (const entry of expected.entries.keys()) {
    const scenario = entry.split(':')[0]!;
    if (!seen.has(scenario)) {
      row.bad++;
      console.log(`STALE ${label}  ${entry}: listed in ${path.relative(ROOT, expected.file)}, but the suite has no such scenario`);
    }
  }
  return row;
}

function printTable(rows: Row[]) {
  const header = ['suite × place', 'scenarios passed', 'checks passed', 'expected failures', 'unexpected'];
  const lines = rows.map((r) => [r.label, `${r.scenariosPassed}/${r.scenarios}`, `${r.checksPassed}/${r.checks}`, String(r.expected), String(r.bad)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${fmt(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const l of lines) console.log(fmt(l));
}

async function main(): Promise<number> {
  const started = Date.now();
  const target = pickTarget(process.argv.slice(2));
  console.log(`conformance server: ${target.server} (${target.dir}); bundles in ${path.relative(ROOT, OUT)}/`);
  mkdirSync(OUT, { recursive: true });

  const productServer = path.join(OUT, 'product', 'server', 'index.js');
  const bridge = path.join(OUT, 'lambdaBridge.js');
  const [bundles, node22] = await Promise.all([
    buildConformanceBundles({ dir: target.dir, server: target.server, outdir: path.join(OUT, 'bundles') }),
    Promise.resolve().then(() => node22Binary()),
    build({ ...bundleOptions({ kind: 'server' }), outfile: productServer }),
    build({ absWorkingDir: ROOT, entryPoints: ['scripts/lambdaBridge.ts'], outfile: bridge, bundle: true, platform: 'node', target: 'node22', format: 'cjs', logLevel: 'warning' }),
  ]);

  const containerEnv = (server?: string) => ({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...(server ? { MCP_SERVER: server } : {}) });
  // As the Lambda component sets it (components/lambdaWorkload.ts): JSON responses, production; no ALLOWED_HOSTS
  // on a public function (API Gateway routes by Host).
  const lambdaEnv = { NODE_ENV: 'production', MCP_RESPONSE_MODE: 'json', LOG_LEVEL: 'warn', AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'mcp-server' };
  const [frontDoor, direct, lambda] = await Promise.all([
    startServer('the front door', node22, [productServer], containerEnv(), 'MCP server listening'),
    startServer('the container bundle', node22, [bundles.server], containerEnv(target.server), 'MCP server listening'),
    startServer('the Lambda bridge', node22, [bridge, bundles.lambda], lambdaEnv, 'lambda bridge listening'),
  ]);
  const urls: Record<Place, string> = { direct, lambda };
  console.log(`direct ${direct}\nlambda ${lambda} (API Gateway HTTP API stand-in, payload 2.0, buffered)\nfront door ${frontDoor}\n`);

  const runs = [
    ...PLACES.flatMap((place) => (Object.keys(SUITES) as Suite[]).map((suite) => ({ suite, place, url: urls[place] }))),
  ];
  const [smoke, ...outcomes] = await Promise.all([
    runSuite(node22, 'legacy', frontDoor, path.join(OUT, 'results', 'front-door')),
    ...runs.map((r) => runSuite(node22, r.suite, r.url, path.join(OUT, 'results', `${r.suite}.${r.place}`))),
  ]);

  const rows: Row[] = [];
  rows.push(
    report(
      'legacy/front-door (smoke)',
      SMOKE.map((s) => smoke!.results.find((r) => r.scenario === s) ?? { scenario: s, checks: [{ id: s, status: 'FAILURE', errorMessage: 'not run' }] }),
      { entries: new Map(), file: '(none)' },
    ),
  );
  runs.forEach((r, i) => {
    const file = path.join(EXPECTED_DIR, target.server, `${r.suite}.${r.place}.yml`);
    rows.push(report(`${r.suite}/${r.place}`, outcomes[i]!.results, readExpected(file)));
  });
  printTable(rows);
  const bad = rows.reduce((n, r) => n + r.bad, 0);
  const passed = rows.reduce((n, r) => n + r.scenariosPassed, 0);
  console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`conformance: ${passed} passed, ${bad} failed`);
  return bad === 0 ? 0 : 1;
}

if (require.main === module) {
  main()
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.stack ?? err.message : err);
      return 1;
    })
    .then(async (code) => {
      await stopAll();
      process.exit(code);
    });
}
