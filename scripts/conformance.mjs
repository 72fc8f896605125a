// Runs the official MCP conformance suite (@modelcontextprotocol/conformance, which needs Node 22)
// against the built container bundle, for the scenarios that apply to a server with no test fixtures. With no
// MCP_SERVER it runs the front door, whose /mcp is the primary server, cost (which has the prompt and the resource).
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'prompts-list', 'resources-list', 'dns-rebinding-protection'];
const CLI = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });
const server = spawn(process.execPath, ['dist/server/index.js'], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  createInterface({ input: server.stdout }).on('line', (line) => {
    const entry = JSON.parse(line);
    if (entry.msg === 'MCP server listening') resolve(entry.url);
  });
});

// Node 22 from the npm registry, when this machine's node is older.
const major = Number(process.versions.node.split('.')[0]);
const [cmd, prefix] = major >= 22 ? [process.execPath, []] : ['npx', ['-y', 'node@22']];

let passed = 0;
let failed = 0;
for (const scenario of SCENARIOS) {
  let output = '';
  let ok = true;
  try {
    output = execFileSync(cmd, [...prefix, CLI, 'server', '--url', url, '--scenario', scenario], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (err) {
    ok = false;
    output = `${err.stdout ?? ''}${err.stderr ?? ''}${err.message}`;
  }
  const summary = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(output);
  ok &&= summary !== null && summary[3] === '0' && summary[1] === summary[2];
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${scenario}${summary ? `  (${summary[1]}/${summary[2]} checks)` : ''}`);
  if (!ok) console.log(output.replace(/\x1b\[[0-9;]*m/g, ''));
}
// The server drains and exits on SIGTERM; one still running after 10 s is killed, and said so.
const exited = server.exitCode !== null || server.signalCode !== null ? Promise.resolve() : new Promise((resolve) => server.once('exit', resolve));
server.kill('SIGTERM');
const drained = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(resolve, 10_000, false).unref())]);
if (!drained) {
  console.log('the server had not exited 10 s after SIGTERM: killed');
  server.kill('SIGKILL');
  await exited;
}
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
