// Lambda entry of the reference v2 server (bundled by bench/coldstart.mjs with the project's bundle
// options): an API Gateway HTTP API (payload 2.0) event becomes a web Request for the SDK's handler,
// and its Response the buffered result. Nothing else: no Express, no logging, no Host checks.
import { createReferenceHandler } from './v2handler';

interface HttpApiEvent {
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { domainName: string; http: { method: string } };
}

const mcp = createReferenceHandler();

export async function handler(event: HttpApiEvent) {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const headers = new Headers();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers.set(k, v);
  const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body;
  const response = await mcp.fetch(
    new Request(`https://${event.requestContext.domainName}${event.rawPath}${query}`, { method: event.requestContext.http.method, headers, body }),
  );
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text(), isBase64Encoded: false };
}
