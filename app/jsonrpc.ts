import type { Response } from 'express';

/** JSON-RPC error codes the HTTP layer answers with. */
export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** Implementation-defined server error, used for transport-level refusals. */
  SERVER_ERROR: -32000,
} as const;

/** Sends an HTTP error whose body is a JSON-RPC error response with a null id. */
export function sendRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}
