// A Lambda HTTP handler served on 127.0.0.1 as API Gateway HTTP API would put it in front of clients:
// each request becomes a payload format 2.0 event (body base64-encoded, as HTTP API sends binary
// bodies), and the handler's result becomes the response. For tests that run the same requests
// against the Express app and the Lambda handler.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaHttpHandler } from '../../app/lambdaHttp';
import { httpApiV2Event, lambdaContext } from '../fixtures/lambdaEvents';
import type { Running } from './http';

export async function listenLambda(handler: LambdaHttpHandler): Promise<Running> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    const [rawPath = '/', rawQueryString = ''] = (req.url ?? '/').split('?');
    const event = {
      ...httpApiV2Event('', { method: req.method, path: rawPath, headers }),
      rawQueryString,
      ...(body.length ? { body: body.toString('base64'), isBase64Encoded: true } : {}),
    };
    const result = await handler(event, lambdaContext);
    res.writeHead(result.statusCode, result.headers);
    res.end(result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
