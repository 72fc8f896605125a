// Preloaded (node --require) into the Lambda runtime (aws-lambda-ric) in tests. The runtime loads a
// native Runtime API client, rapid-client.node, at start; the npm package builds it at install, and
// install scripts are not run here. With AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1=true the runtime
// fetches invocations over node:http, and a streaming function's response goes over node:http too,
// so the native client is only needed for buffered responses and errors: this stub refuses those.
const Module = require('node:module');

const refuse = (what) => () => {
  throw new Error(`${what}: the native Runtime API client is not available in tests (streaming handlers only)`);
};
const stub = { next: refuse('next'), done: refuse('done'), error: refuse('error') };

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (typeof request === 'string' && request.endsWith('rapid-client.node')) return stub;
  return load.call(this, request, parent, isMain);
};
