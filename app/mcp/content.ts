// Content a tool returns or a prompt's messages hold: small builders over the SDK's types, and the
// results a tool may return besides its structured output.
import type {
  AudioContent,
  CallToolResult,
  ContentBlock,
  EmbeddedResource,
  ImageContent,
  ResourceLink,
  TextContent,
} from '@modelcontextprotocol/server';

export type { ContentBlock } from '@modelcontextprotocol/server';

/** Binary data as the protocol carries it: base64 text, or bytes that are encoded here. */
export type Binary = string | Uint8Array;

/** Base64 of `data` (a string is taken as base64 already). */
export const base64 = (data: Binary): string => (typeof data === 'string' ? data : Buffer.from(data).toString('base64'));

/** A text content block. */
export const text = (value: string): TextContent => ({ type: 'text', text: value });

/** An image content block (`mimeType` e.g. image/png). */
export const image = (data: Binary, mimeType: string): ImageContent => ({ type: 'image', data: base64(data), mimeType });

/** An audio content block (`mimeType` e.g. audio/wav). */
export const audio = (data: Binary, mimeType: string): AudioContent => ({ type: 'audio', data: base64(data), mimeType });

/** A resource embedded in the result: its text, or its bytes (`blob`). */
export function embeddedResource(resource: { uri: string; mimeType?: string } & ({ text: string } | { blob: Binary })): EmbeddedResource {
  const { uri, mimeType } = resource;
  const body = 'text' in resource ? { text: resource.text } : { blob: base64(resource.blob) };
  return { type: 'resource', resource: { uri, ...(mimeType === undefined ? {} : { mimeType }), ...body } };
}

/** A link to a resource the client may read (resources/read) instead of the content itself. */
export const resourceLink = (link: { uri: string; name: string; title?: string; description?: string; mimeType?: string }): ResourceLink => ({
  type: 'resource_link',
  ...link,
});

const RESULT = Symbol('mcp-on-aws tool result');

/** What a tool returns when it is not only its structured output: see `toolResult` and `toolError`. */
export interface ToolResult<O = never> {
  readonly [RESULT]: true;
  readonly content: readonly ContentBlock[];
  readonly structured?: O;
  readonly isError?: boolean;
}

/**
 * A tool result with `content` (text, image, audio, embedded resources, resource links) and, for a
 * tool that declares an `outputSchema`, its `structured` output (checked against the schema).
 */
export function toolResult<O = never>(content: readonly ContentBlock[], structured?: O): ToolResult<O> {
  return { [RESULT]: true, content, ...(structured === undefined ? {} : { structured }) };
}

/**
 * A tool error the model should see (`isError: true`): a call that cannot be done as asked. A thrown
 * error gives the same result with its message.
 */
export function toolError(message: string, ...more: readonly ContentBlock[]): ToolResult<never> {
  return { [RESULT]: true, content: [text(message), ...more], isError: true };
}

export const isToolResult = (value: unknown): value is ToolResult<unknown> =>
  typeof value === 'object' && value !== null && (value as { [RESULT]?: unknown })[RESULT] === true;

/** The wire form of a tool result. */
export function callToolResult(result: ToolResult<unknown>): CallToolResult {
  return {
    content: [...result.content],
    ...(result.structured === undefined ? {} : { structuredContent: result.structured as Record<string, unknown> }),
    ...(result.isError ? { isError: true } : {}),
  };
}
