import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { startFakeRuntimeApi, type FakeRuntimeApi } from './lambdaRuntimeApi';

const root = path.resolve(__dirname, '../..');

/** The Lambda Node.js runtime as AWS runs it (the aws-lambda-ric package: its ESM bundle starts the runtime loop). */
export const RUNTIME_ENTRY = path.join(root, 'node_modules/aws-lambda-ric/index.mjs');
const NATIVE_CLIENT_STUB = path.join(__dirname, 'ricNativeClientStub.cjs');

let node22: string | undefined;

/**
 * A Node 22 binary, as the Lambda nodejs22.x runtime uses: the running Node when it is 22 or later,
 * else Node 22 from the npm registry (`npx -y node@22`, as the conformance run does). Throws, naming
 * the cause, when there is none: the runtime is never tested on another Node in its place.
 */
export function node22Binary(): string {
  if (node22 === undefined) {
    if (Number(process.versions.node.split('.')[0]) >= 22) node22 = process.execPath;
    else {
      try {
        node22 = execFileSync('npx', ['-y', 'node@22', '-p', 'process.execPath'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }).trim();
      } catch (err) {
        throw new Error(`the Lambda runtime tests need Node 22 (npx -y node@22 failed: ${err instanceof Error ? err.message : String(err)})`);
      }
    }
  }
  return node22;
}

export interface RunningRuntime {
  api: FakeRuntimeApi;
  child: ChildProcess;
  /** What the runtime wrote to stdout and stderr so far (its own log lines, the function's). */
  output(): string;
  /** Kills the runtime and closes the fake Runtime API. */
  stop(): Promise<void>;
}

/**
 * Runs the real Lambda runtime in a child process against a fake Runtime API on 127.0.0.1, with the
 * function code in `taskRoot` and `handler` (e.g. `index.streamHandler`) as _HANDLER.
 */
export async function startLambdaRuntime(taskRoot: string, handler: string, env: Record<string, string> = {}): Promise<RunningRuntime> {
  const api = await startFakeRuntimeApi();
  let output = '';
  const child = spawn(node22Binary(), ['--require', NATIVE_CLIENT_STUB, RUNTIME_ENTRY], {
    cwd: taskRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      AWS_LAMBDA_RUNTIME_API: api.address,
      AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1: 'true',
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: handler,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'mcp-server',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/mcp-server',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/21/[$LATEST]abcdef',
      ...env,
    },
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = once(child, 'exit');
  void exited.then(([code, signal]) => api.failPending(new Error(`the Lambda runtime exited (code ${code}, signal ${signal}):\n${output}`)));
  return {
    api,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await api.close();
    },
  };
}
