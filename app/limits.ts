// What the server, the agent and the Pulumi program agree on about addresses and sizes, in a module
// with no dependencies, so that the agent and the program can use it without loading the server.

/** The names a loopback-bound process accepts in the Host header. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];
/**
 * Default largest request body on /mcp: 2.5 MiB. It holds every call the tools' schemas allow
 * (analyze_text's longest text at its longest JSON form: MAX_TEXT_CALL_BYTES, 2,604,800 bytes), so
 * a valid call never meets 413; and twice it (the body JSON-escaped again inside a Lambda event,
 * every byte at worst a quote or backslash) plus the rest of the event stays under Lambda's 6 MB
 * synchronous invocation payload, so on Lambda any body up to the limit reaches the app.
 */
export const DEFAULT_MAX_BODY_BYTES = 2.5 * 1024 * 1024;

/** Whether a listen address or Host name is loopback. */
export function isLoopback(host: string): boolean {
  // A listen address may name IPv6 loopback without brackets.
  return host === '::1' || LOOPBACK_HOSTS.includes(host);
}

/** How long a client has to send a request's headers: a slow (slowloris) client is cut after this. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
/** How long a client has to send a whole request, headers and body. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Connections one process keeps open at once; one more is closed as soon as it is accepted. */
export const DEFAULT_MAX_CONNECTIONS = 1024;
