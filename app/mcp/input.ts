// Input from the client (sampling, elicitation, roots) for a stateless server: 2026-07-28's
// multi-round-trip results. A tool or prompt returns `needsInput({...})`; the client answers and
// sends the same request again with the answers (and the state the server gave it), which the
// handler reads from its context. No server-to-client request is ever sent.
import { randomBytes } from 'node:crypto';
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
  type RequestStateCodec,
  type ServerContext,
  type StandardSchemaV1,
} from '@modelcontextprotocol/server';
import { ENV } from '../contract';
import { createLogger } from '../logger';

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
  return {
    answer: (key) => inputResponse(ctx.mcpReq.inputResponses, key),
    accepted: (key, schema) => acceptedContent(ctx.mcpReq.inputResponses, key, schema),
    state: <T>() => ctx.mcpReq.requestState<T>(),
    // The SDK's envelope type names no key; the 2026-07-28 request's _meta holds this one.
    clientCapabilities: (ctx.mcpReq.envelope as Record<string, ClientCapabilities | undefined> | undefined)?.[CLIENT_CAPABILITIES_META_KEY],
  };
}

/** The wire form of `needsInput`, its state signed. */
export async function inputRequiredResult(needed: InputNeeded): Promise<InputRequiredResult> {
  return inputRequired({
    ...(needed.requests === undefined ? {} : { inputRequests: { ...needed.requests } }),
    ...(needed.state === undefined ? {} : { requestState: await requestStateCodec().mint(needed.state) }),
  });
}

/** Smallest request-state key, bytes (the SDK's HMAC codec refuses shorter ones). */
export const MIN_REQUEST_STATE_KEY_BYTES = 32;

let codec: RequestStateCodec | undefined;

/**
 * The codec that signs and verifies request state, made on first use. Its key is ENV.requestStateKey,
 * which every instance of a server must share: a round trip that lands on another instance (another
 * Lambda execution environment, another task) is refused otherwise. Unset, a random key of this
 * process is used, and the log says so once.
 */
export function requestStateCodec(env: NodeJS.ProcessEnv = process.env): RequestStateCodec {
  if (codec) return codec;
  const configured = env[ENV.requestStateKey];
  if (configured !== undefined && configured !== '') {
    if (Buffer.byteLength(configured) < MIN_REQUEST_STATE_KEY_BYTES) {
      throw new Error(`${ENV.requestStateKey} must be at least ${MIN_REQUEST_STATE_KEY_BYTES} bytes (got ${Buffer.byteLength(configured)})`);
    }
    codec = createRequestStateCodec({ key: configured });
  } else {
    createLogger('mcp-server').warn(
      `${ENV.requestStateKey} is not set: multi-round-trip request state is signed with a key of this process only, so a round trip that reaches another instance is refused`,
    );
    codec = createRequestStateCodec({ key: new Uint8Array(randomBytes(MIN_REQUEST_STATE_KEY_BYTES)) });
  }
  return codec;
}

/** Forgets the codec (tests that change ENV.requestStateKey). */
export function resetRequestStateCodec(): void {
  codec = undefined;
}
