// A Lambda bundle behind a local stand-in for API Gateway HTTP API: `node lambdaBridge.js <bundle>`
// loads the bundle (its module-level code runs once, as on a cold start), then serves its `handler` on
// HOST:PORT (default 127.0.0.1, any free port), turning each HTTP request into the payload format 2.0
// event and the result back into the response (tests/helpers/httpApi.ts). Prints one JSON line
// {"msg":"lambda bridge listening","url":"http://…/mcp"} when ready; exits on SIGTERM or SIGINT.
// Run it on Node 22, the functions' runtime.
import path from 'node:path';
import type { LambdaHttpHandler } from '../app/lambdaHttp';
import { serveThroughHttpApi } from '../tests/helpers/httpApi';

async function main(bundle: string | undefined) {
  if (!bundle) throw new Error('usage: lambdaBridge <lambda bundle>');
  const loaded = require(path.resolve(bundle)) as { handler?: LambdaHttpHandler };
  if (typeof loaded.handler !== 'function') throw new Error(`${bundle} exports no handler`);
  const server = await serveThroughHttpApi(loaded.handler, { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  console.log(JSON.stringify({ msg: 'lambda bridge listening', url: `${server.url}/mcp`, node: process.version }));
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
