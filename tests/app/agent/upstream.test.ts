import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundedFetch, ConnectionError } from '../../../app/agent/upstream';
import type { McpEndpoint } from '../../../app/agent/resolver';

/** A server on 127.0.0.1 that sends one chunk of an event stream and keeps it open, until `cut` destroys its connection. */
async function streaming() {
  let open: http.ServerResponse | undefined;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': first\n\n');
    open = res;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return {
    url,
    cut: () => open!.socket!.destroy(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function fetchFor(url: string) {
  const failures: Error[] = [];
  const endpoint: McpEndpoint = { id: url, url, server: '127.0.0.1', direct: false };
  const fetch = boundedFetch({ maxBytes: 1024, signal: new AbortController().signal, endpoint, onFailure: (err) => failures.push(err) });
  return { fetch, failures };
}

describe('boundedFetch', () => {
  it('a response the SDK lets go of (its own signal aborted, as on close) is not reported as the server’s failure', async () => {
    const server = await streaming();
    try {
      const { fetch, failures } = fetchFor(server.url);
      const request = new AbortController();
      const res = await fetch(server.url, { signal: request.signal });
      const reader = res.body!.getReader();
      assert.equal(new TextDecoder().decode((await reader.read()).value), ': first\n\n');
      const pending = reader.read();
      request.abort();
      await assert.rejects(pending);
      assert.deepEqual(failures, []);
    } finally {
      await server.close();
    }
  });

  it('a connection cut in the middle of a body is reported, as a connection failure', async () => {
    const server = await streaming();
    try {
      const { fetch, failures } = fetchFor(server.url);
      const res = await fetch(server.url, {});
      const reader = res.body!.getReader();
      assert.equal(new TextDecoder().decode((await reader.read()).value), ': first\n\n');
      server.cut();
      await assert.rejects(reader.read(), ConnectionError);
      assert.equal(failures.length, 1);
      assert.ok(failures[0] instanceof ConnectionError);
    } finally {
      await server.close();
    }
  });
});
