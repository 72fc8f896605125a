// Input from the client (sampling, elicitation, roots) for a stateless server: 2026-07-28's
// multi-round-trip results. A tool or prompt returns `needsInput({...})`; the client answers and
// sends the same request again with the answers (and the state the server gave it), which the
// handler reads from its context. No server-to-client request is ever sent.
import { hkdfSync, randomBytes } from 'node:crypto';
import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  inputRequired,
  inputResponse,
  type ClientCapabilities,
  type InputRequest,
  type InputRequiredResult,
  type InputResponseView,
  type McpServer,
  type RequestStateCodec,
  type ServerContext,
  type StandardSchemaV1,
} from '@modelcontextprotocol/server';
import { ENV } from '../contract';
import { createLogger } from '../logger';
import { readSecret, type ReadSecretOptions } from '../secrets';

/**
 * The requests a handler may ask the client to answer, each under a key of its choice (the SDK's
 * builders): `ask.elicit({ message, requestedSchema })` (a form; a zod object works as the schema),
 * `ask.elicitUrl({ message, url })`, `ask.createMessage({ messages, maxTokens })` (sampling) and
 * `ask.listRoots()`.
 */
export const ask = {
  elicit: inputRequired.elicit,
  elicitUrl: inputRequired.elicitUrl,
  createMessage: inputRequired.createMessage,
  listRoots: inputRequired.listRoots,
} as const;

const INPUT = Symbol('mcp-on-aws input needed');

/** What `needsInput` returns: see there. */
export interface InputNeeded {
  readonly [INPUT]: true;
  readonly requests?: Readonly<Record<string, InputRequest>>;
  readonly state?: unknown;
}

/**
 * Asks the client for input before the call can complete: `requests` by key (built with `ask`), and
 * `state`, any JSON value the handler gets back with the answers (`ctx.input.state()`), signed so
 * that the client cannot change it. At least one of the two. A 2025-era client on this stateless
 * endpoint cannot answer: its call fails at once (a tool error for a tool, a JSON-RPC error otherwise).
 */
export function needsInput(spec: { requests?: Record<string, InputRequest>; state?: unknown }): InputNeeded {
  if ((spec.requests === undefined || Object.keys(spec.requests).length === 0) && spec.state === undefined) {
    throw new TypeError('needsInput: give requests, state or both');
  }
  return { [INPUT]: true, ...spec };
}

export const isInputNeeded = (value: unknown): value is InputNeeded =>
  typeof value === 'object' && value !== null && (value as { [INPUT]?: unknown })[INPUT] === true;

/** What a handler knows of the client's input: the answers to its last `needsInput`, its state, what the client can do. */
export interface InputContext {
  /** The client's answer to the request under `key`, by kind (`missing` when there is none). */
  answer(key: string): InputResponseView;
  /** The content of an accepted form elicitation under `key`, checked against `schema`; undefined otherwise. */
  accepted<S extends StandardSchemaV1>(key: string, schema: S): StandardSchemaV1.InferOutput<S> | undefined;
  /** The `state` of the `needsInput` this request answers, verified; undefined on a first request. */
  state<T = unknown>(): T | undefined;
  /** The client's capabilities, as a 2026-07-28 request declares them; undefined on a 2025-era request. */
  readonly clientCapabilities: ClientCapabilities | undefined;
}

export function inputContext(ctx: ServerContext): InputContext {
  // The state came back, but the key to check it could not be had: the call fails, saying why.
  const state = ctx.mcpReq.requestState();
  if (state instanceof KeyUnavailable) throw state.error;
  return {
    answer: (key) => inputResponse(ctx.mcpReq.inputResponses, key),
    accepted: (key, schema) => acceptedContent(ctx.mcpReq.inputResponses, key, schema),
    state: <T>() => ctx.mcpReq.requestState<T>(),
    // The SDK's envelope type names no key; the 2026-07-28 request's _meta holds this one.
    clientCapabilities: (ctx.mcpReq.envelope as Record<string, ClientCapabilities | undefined> | undefined)?.[CLIENT_CAPABILITIES_META_KEY],
  };
}

/** Smallest request-state key, bytes (the SDK's HMAC codec refuses shorter ones). */
export const MIN_REQUEST_STATE_KEY_BYTES = 32;

/** The request-state key could not be had: the message says why. */
export class RequestStateKeyError extends Error {
  override readonly name = 'RequestStateKeyError';
}

/** What `verify` gives the handler when the key could not be had (see inputContext). */
class KeyUnavailable {
  constructor(readonly error: Error) {}
}

/** The key of `server`'s request state from the stack's root key: a state one server mints, another refuses. */
export function deriveRequestStateKey(root: Uint8Array, server: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', root, 'mcp-on-aws request state', `server ${server}`, MIN_REQUEST_STATE_KEY_BYTES));
}

/** ENV.requestStateKey's bytes, checked; undefined when it is not set. */
function configuredKey(env: NodeJS.ProcessEnv): Uint8Array | undefined {
  const configured = env[ENV.requestStateKey];
  if (configured === undefined || configured === '') return undefined;
  if (Buffer.byteLength(configured) < MIN_REQUEST_STATE_KEY_BYTES) {
    throw new Error(`${ENV.requestStateKey} must be at least ${MIN_REQUEST_STATE_KEY_BYTES} bytes (got ${Buffer.byteLength(configured)})`);
  }
  return new Uint8Array(Buffer.from(configured, 'utf8'));
}

let processKey: Uint8Array | undefined;

/**
 * The root key every server's key is derived from: ENV.requestStateKey when set (local runs, tests);
 * else the secret whose ARN ENV.requestStateSecret names (what the program sets on every target),
 * read on first use and kept; else a random key of this process, and the log says so once.
 */
async function rootKey(env: NodeJS.ProcessEnv, options: ReadSecretOptions): Promise<Uint8Array> {
  const configured = configuredKey(env);
  if (configured) return configured;
  const arn = env[ENV.requestStateSecret];
  if (arn !== undefined && arn !== '') {
    let value: Uint8Array;
    try {
      value = await readSecret(arn, options);
    } catch (err) {
      throw new RequestStateKeyError(`the request-state key is unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (value.length < MIN_REQUEST_STATE_KEY_BYTES) {
      throw new RequestStateKeyError(`the request-state key is unavailable: secret ${arn} holds ${value.length} bytes, fewer than ${MIN_REQUEST_STATE_KEY_BYTES}`);
    }
    return value;
  }
  if (!processKey) {
    (options.logger ?? createLogger('mcp-server')).warn(
      `${ENV.requestStateKey} and ${ENV.requestStateSecret} are not set: multi-round-trip request state is signed with a key of this process only, so a round trip that reaches another instance is refused`,
    );
    processKey = new Uint8Array(randomBytes(MIN_REQUEST_STATE_KEY_BYTES));
  }
  return processKey;
}

const codecs = new Map<string, RequestStateCodec>();

/**
 * The codec that signs and verifies the request state of server `server`, with a key derived from the
 * root key (see rootKey) and the server's name. Every instance of a server must have the same root
 * key: a round trip that lands on another instance (another Lambda execution environment, task or
 * pod) is refused otherwise. The key is had on the first mint or verify, and kept; a failure to have
 * it is not kept, so that the next call tries again.
 */
export function requestStateCodec(server: string, env: NodeJS.ProcessEnv = process.env, options: ReadSecretOptions = {}): RequestStateCodec {
  const known = codecs.get(server);
  if (known) return known;
  configuredKey(env); // a bad key is refused at once
  let built: Promise<RequestStateCodec> | undefined;
  const real = () =>
    (built ??= rootKey(env, options).then(
      (root) => createRequestStateCodec({ key: deriveRequestStateKey(root, server) }),
      (err: unknown) => {
        built = undefined;
        throw err;
      },
    ));
  const codec: RequestStateCodec = {
    mint: async (payload, ctx) => (await real()).mint(payload, ctx),
    verify: async (state, ctx) => (await real()).verify(state, ctx),
  };
  codecs.set(server, codec);
  return codec;
}

const owners = new WeakMap<McpServer, string>();

/**
 * The request-state options of server `name` (ServerOptions.requestState): state that does not verify
 * is refused by the SDK (-32602); when the key cannot be had, the handler's call fails with the reason.
 */
export function requestStateOptions(name: string): { verify: (state: string, ctx: ServerContext) => Promise<unknown> } {
  const codec = requestStateCodec(name); // a bad ENV.requestStateKey is refused at once
  return {
    verify: async (state, ctx) => {
      try {
        return await codec.verify(state, ctx);
      } catch (err) {
        if (err instanceof RequestStateKeyError) return new KeyUnavailable(err);
        throw err;
      }
    },
  };
}

/** Says that `server` is an instance of server `name`: what its handlers' `needsInput` state is signed for. */
export function servesRequestStateOf(server: McpServer, name: string): void {
  owners.set(server, name);
}

/** The wire form of `needsInput`, its state signed with the key of the server `server` is an instance of. */
export async function inputRequiredResult(needed: InputNeeded, server: McpServer): Promise<InputRequiredResult> {
  let requestState: string | undefined;
  if (needed.state !== undefined) {
    const name = owners.get(server);
    if (name === undefined) throw new Error('needsInput with state: the server was not made by createMcpServer');
    requestState = await requestStateCodec(name).mint(needed.state);
  }
  return inputRequired({
    ...(needed.requests === undefined ? {} : { inputRequests: { ...needed.requests } }),
    ...(requestState === undefined ? {} : { requestState }),
  });
}

/** Forgets every codec and this process's random key (tests that change the key, or stand for another instance). */
export function resetRequestStateCodec(): void {
  codecs.clear();
  processKey = undefined;
}
