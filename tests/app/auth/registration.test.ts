import { strict as assert } from 'node:assert';
import { registerSharedClient, type SharedClient } from '../../../app/auth/registration';

const CLIENT: SharedClient = {
  clientId: '5p3ubl1cc1ient',
  callbackUrls: ['http://localhost:3334/oauth/callback', 'https://claude.ai/api/mcp/auth_callback'],
  scopes: ['mcp-on-aws-dev/cost', 'mcp-on-aws-dev/agent'],
};
const AT = 1_790_000_000;

describe('client registration handing out the shared public client (app/auth/registration)', () => {
  it('a public client whose redirect URIs are all callbacks gets the shared client id, and its metadata back', () => {
    const answer = registerSharedClient(
      { redirect_uris: ['http://localhost:3334/oauth/callback'], client_name: 'mcp-remote', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
      CLIENT,
      AT,
    );
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.body, {
      client_name: 'mcp-remote',
      client_id: '5p3ubl1cc1ient',
      client_id_issued_at: AT,
      redirect_uris: ['http://localhost:3334/oauth/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'mcp-on-aws-dev/cost mcp-on-aws-dev/agent',
    });
    assert.equal('client_secret' in answer.body, false);
  });

  const refused: [string, unknown, string, RegExp][] = [
    ['a redirect URI not among the callbacks (another port)', { redirect_uris: ['http://localhost:3334/oauth/callback', 'http://localhost:5555/cb'] }, 'invalid_redirect_uri', /http:\/\/localhost:5555\/cb.*authCallbackUrls/],
    ['no redirect URIs', { client_name: 'x' }, 'invalid_redirect_uri', /non-empty array/],
    ['redirect URIs that are not strings', { redirect_uris: [3] }, 'invalid_redirect_uri', /non-empty array/],
    ['a confidential client', { redirect_uris: ['http://localhost:3334/oauth/callback'], token_endpoint_auth_method: 'client_secret_basic' }, 'invalid_client_metadata', /client_secret_basic.*public/],
    ['the client-credentials grant', { redirect_uris: ['http://localhost:3334/oauth/callback'], grant_types: ['client_credentials'] }, 'invalid_client_metadata', /grant_types/],
    ['the implicit response type', { redirect_uris: ['http://localhost:3334/oauth/callback'], response_types: ['token'] }, 'invalid_client_metadata', /response_types/],
    ['a body that is not an object', ['x'], 'invalid_client_metadata', /JSON object/],
  ];
  for (const [what, body, error, description] of refused) {
    it(`refuses ${what} with 400 ${error}`, () => {
      const answer = registerSharedClient(body, CLIENT, AT);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, error);
      assert.match(String(answer.body.error_description), description);
      assert.equal('client_id' in answer.body, false);
    });
  }
});
