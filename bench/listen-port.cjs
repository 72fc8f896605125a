// Preloaded into the SDK's example server, which listens on a fixed port 3000: listen on BENCH_PORT instead.
const http = require('node:http');
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (port, ...rest) {
  return listen.call(this, port === 3000 ? Number(process.env.BENCH_PORT) : port, ...rest);
};
