// Dynamic client registration (RFC 7591) for a Cognito stack, opt-in (`authRegistration: shared`):
// Cognito has no registration endpoint, and some MCP clients will not connect without one. This one
// creates nothing: it hands out the stack's public client (authorization code + PKCE, no secret) to a
// client whose redirect URIs are all among that client's callback URLs, and refuses any other request.
// So the number of clients it can create is zero, whatever is asked of it.

/** What the registration endpoint hands out: the stack's public client and its callbacks. */
export interface SharedClient {
  clientId: string;
  /** Exactly as Cognito matches them: a redirect URI is accepted only if it is one of these. */
  callbackUrls: readonly string[];
  /** The scopes the client may ask for, as the registration answer lists them. */
  scopes: readonly string[];
}

/** The answer: an HTTP status and a JSON body. */
export interface RegistrationAnswer {
  status: 201 | 400;
  body: Record<string, unknown>;
}

const GRANTS = ['authorization_code', 'refresh_token'];

function refuse(error: 'invalid_redirect_uri' | 'invalid_client_metadata', description: string): RegistrationAnswer {
  return { status: 400, body: { error, error_description: description } };
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Registers a client (RFC 7591 §3) by handing out `client`: the request must name redirect URIs, all
 * among the client's callbacks, and ask for nothing the shared client does not do (a secret, another
 * grant or response type); client_name and other descriptive metadata are accepted and echoed.
 */
export function registerSharedClient(request: unknown, client: SharedClient, issuedAt: number): RegistrationAnswer {
  if (!request || typeof request !== 'object' || Array.isArray(request)) return refuse('invalid_client_metadata', 'the body must be a JSON object of client metadata');
  const meta = request as Record<string, unknown>;
  const redirects = meta.redirect_uris;
  if (!strings(redirects) || redirects.length === 0) return refuse('invalid_redirect_uri', 'redirect_uris must be a non-empty array of URLs');
  const unknown = redirects.filter((uri) => !client.callbackUrls.includes(uri));
  if (unknown.length) {
    return refuse(
      'invalid_redirect_uri',
      `not a callback URL of this stack's client: ${unknown.join(', ')} (allowed: ${client.callbackUrls.join(', ')}; a stack adds more with the authCallbackUrls setting)`,
    );
  }
  const method = meta.token_endpoint_auth_method;
  if (method !== undefined && method !== 'none') {
    return refuse('invalid_client_metadata', `token_endpoint_auth_method "${String(method)}" is not offered: the client is public (none)`);
  }
  if (meta.grant_types !== undefined && (!strings(meta.grant_types) || meta.grant_types.some((g) => !GRANTS.includes(g)))) {
    return refuse('invalid_client_metadata', `grant_types must be among ${GRANTS.join(', ')}`);
  }
  if (meta.response_types !== undefined && (!strings(meta.response_types) || meta.response_types.some((t) => t !== 'code'))) {
    return refuse('invalid_client_metadata', 'response_types must be ["code"]');
  }
  const echoed = Object.fromEntries(
    ['client_name', 'client_uri', 'logo_uri', 'software_id', 'software_version', 'application_type']
      .filter((k) => typeof meta[k] === 'string')
      .map((k) => [k, meta[k]]),
  );
  return {
    status: 201,
    body: {
      ...echoed,
      client_id: client.clientId,
      client_id_issued_at: issuedAt,
      redirect_uris: redirects,
      token_endpoint_auth_method: 'none',
      grant_types: GRANTS,
      response_types: ['code'],
      ...(client.scopes.length ? { scope: client.scopes.join(' ') } : {}),
    },
  };
}
