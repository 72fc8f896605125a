import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ENV, scopeOf, type AuthMode } from '../app/contract';
import type { StackConfig } from '../config';

export interface AuthorizationArgs {
  config: StackConfig;
  stack: string;
  project: string;
  /** The deployed servers; each gets a scope of its own. */
  servers: readonly string[];
  /** Scopes tools ask for besides their server's (`scopes` of a tool definition), by name. */
  toolScopes: readonly string[];
}

/** What the stack output `auth` says: how to get a token. Never a secret value. */
export interface AuthOutput {
  mode: AuthMode;
  issuer?: string;
  /** The authorization server MCP clients are pointed to (the front door for cognito). */
  authorizationServer?: string;
  loginUrl?: string;
  tokenUrl?: string;
  publicClientId?: string;
  machineClientId?: string;
  /** The Secrets Manager secret with the machine client's credentials (the agent's). */
  agentSecretArn?: string;
  /** Scope per server, and the agent's. */
  scopes?: Record<string, string>;
}

/** The scope that names the agent's own routes (container agents). */
export const AGENT_SCOPE = 'agent';

/**
 * How the stack's MCP servers and agent authorize requests (setting `auth`). `cognito`: an Amazon
 * Cognito user pool with a managed login domain, a resource server with a scope per server and one for
 * the agent, a public client for interactive MCP clients (authorization code + PKCE, the callbacks of
 * `authCallbackUrls`), a confidential client for machines (client credentials), and a Secrets Manager
 * secret holding the machine client's credentials, which the agent reads at run time. `oidc`: nothing
 * but the settings, passed on. `none`: nothing.
 */
export class Authorization extends pulumi.ComponentResource {
  readonly mode: AuthMode;
  /** Scopes are `<prefix>/<name>`; undefined: no scope is required. */
  readonly scopePrefix?: string;
  readonly issuer?: pulumi.Output<string>;
  readonly tokenUrl?: pulumi.Output<string>;
  readonly loginUrl?: pulumi.Output<string>;
  readonly agentSecretArn?: pulumi.Output<string>;
  readonly clientIds?: pulumi.Output<string[]>;
  readonly publicClientId?: pulumi.Output<string>;
  readonly output: pulumi.Output<AuthOutput>;
  private readonly config: StackConfig;

  constructor(name: string, args: AuthorizationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:auth:Authorization', name, {}, opts);
    const parent = this;
    const c = args.config;
    this.config = c;
    this.mode = c.auth;
    if (c.auth === 'cognito') {
      const region = aws.getRegionOutput({}, { parent }).name;
      const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
      // The resource server's identifier names every scope: from the project and stack, never from a
      // domain, so that a new domain keeps tokens and client registrations valid.
      const identifier = `${args.project}-${args.stack}`;
      this.scopePrefix = identifier;
      const pool = new aws.cognito.UserPool(
        name,
        {
          name: identifier,
          // Only administrators create users: no one signs up on the login page.
          adminCreateUserConfig: { allowAdminCreateUserOnly: true },
          usernameAttributes: ['email'],
          autoVerifiedAttributes: ['email'],
          accountRecoverySetting: { recoveryMechanisms: [{ name: 'verified_email', priority: 1 }] },
          passwordPolicy: { minimumLength: 12, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: false, temporaryPasswordValidityDays: 7 },
          // Managed login (version 2) needs the Essentials tier.
          userPoolTier: 'ESSENTIALS',
          deletionProtection: args.stack === 'prod' ? 'ACTIVE' : 'INACTIVE',
        },
        { parent },
      );
      // Prefix domains are global per Region and may not contain "aws", "amazon" or "cognito".
      const prefix = account.apply((a) => `mcp-${createHash('sha256').update(`${args.project}/${args.stack}/${a}`).digest('hex').slice(0, 12)}`);
      const domain = new aws.cognito.UserPoolDomain(name, { domain: prefix, userPoolId: pool.id, managedLoginVersion: 2 }, { parent });
      const scopes = [...new Set([...args.servers, AGENT_SCOPE, ...args.toolScopes])];
      const resourceServer = new aws.cognito.ResourceServer(
        name,
        {
          userPoolId: pool.id,
          identifier,
          name: `MCP servers of ${args.project} ${args.stack}`,
          scopes: scopes.map((s) => ({
            scopeName: s,
            scopeDescription: s === AGENT_SCOPE ? 'Call the agent' : args.servers.includes(s) ? `Call the MCP server ${s}` : `Tools that need ${s}`,
          })),
        },
        { parent },
      );
      // Scopes as tokens carry them, once the resource server declares them.
      const scopeIds = (names: readonly string[]) => resourceServer.identifier.apply((id) => names.map((n) => scopeOf(id, n)));
      const validity = {
        accessTokenValidity: c.authAccessTokenMinutes,
        idTokenValidity: c.authAccessTokenMinutes,
        refreshTokenValidity: 30,
        tokenValidityUnits: { accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' },
      };
      const publicClient = new aws.cognito.UserPoolClient(
        `${name}-public`,
        {
          name: `${identifier}-mcp-clients`,
          userPoolId: pool.id,
          generateSecret: false,
          allowedOauthFlowsUserPoolClient: true,
          allowedOauthFlows: ['code'],
          allowedOauthScopes: scopeIds(scopes).apply((s) => ['openid', 'email', ...s]),
          callbackUrls: c.authCallbackUrls,
          supportedIdentityProviders: ['COGNITO'],
          explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
          preventUserExistenceErrors: 'ENABLED',
          enableTokenRevocation: true,
          ...validity,
        },
        { parent },
      );
      const machineClient = new aws.cognito.UserPoolClient(
        `${name}-machine`,
        {
          name: `${identifier}-agent`,
          userPoolId: pool.id,
          generateSecret: true,
          allowedOauthFlowsUserPoolClient: true,
          allowedOauthFlows: ['client_credentials'],
          allowedOauthScopes: scopeIds([...args.servers, ...args.toolScopes]),
          supportedIdentityProviders: ['COGNITO'],
          enableTokenRevocation: true,
          ...validity,
        },
        { parent },
      );
      new aws.cognito.ManagedLoginBranding(`${name}-public`, { userPoolId: pool.id, clientId: publicClient.id, useCognitoProvidedValues: true }, { parent });
      const secret = new aws.secretsmanager.Secret(
        `${name}-agent`,
        { description: `The client credentials the agent of ${args.project} stack ${args.stack} gets tokens with (Cognito client_credentials)` },
        { parent },
      );
      const version = new aws.secretsmanager.SecretVersion(
        `${name}-agent`,
        {
          secretId: secret.id,
          secretString: pulumi.secret(pulumi.jsonStringify({ client_id: machineClient.id, client_secret: machineClient.clientSecret })),
        },
        { parent },
      );
      this.issuer = pulumi.interpolate`https://${pool.endpoint}`;
      this.loginUrl = pulumi.interpolate`https://${domain.domain}.auth.${region}.amazoncognito.com`;
      this.tokenUrl = pulumi.interpolate`${this.loginUrl}/oauth2/token`;
      // Through the version: what reads the ARN waits until there is a value to read.
      this.agentSecretArn = pulumi.all([secret.arn, version.id]).apply(([a]) => a);
      this.clientIds = pulumi.all([publicClient.id, machineClient.id]);
      this.publicClientId = publicClient.id;
      this.output = pulumi.output({
        mode: this.mode,
        issuer: this.issuer,
        loginUrl: this.loginUrl,
        tokenUrl: this.tokenUrl,
        publicClientId: publicClient.id,
        machineClientId: machineClient.id,
        agentSecretArn: this.agentSecretArn,
        scopes: Object.fromEntries([...args.servers, AGENT_SCOPE].map((s) => [s, scopeOf(identifier, s)])),
      });
    } else if (c.auth === 'oidc') {
      this.scopePrefix = c.oidcScopePrefix;
      this.issuer = pulumi.output(c.oidcIssuer!);
      this.tokenUrl = pulumi.output(c.oidcTokenUrl!);
      this.agentSecretArn = pulumi.output(c.oidcAgentClientSecretArn!);
      const prefix = this.scopePrefix;
      this.output = pulumi.output({
        mode: this.mode,
        issuer: c.oidcIssuer!,
        authorizationServer: c.oidcIssuer!,
        tokenUrl: c.oidcTokenUrl!,
        agentSecretArn: c.oidcAgentClientSecretArn!,
        ...(prefix ? { scopes: Object.fromEntries([...args.servers, AGENT_SCOPE].map((s) => [s, scopeOf(prefix, s)])) } : {}),
      });
    } else {
      this.output = pulumi.output({ mode: this.mode });
    }
    this.registerOutputs({ output: this.output });
  }

  /** The scope every call to `server` needs ('' when none). */
  scopeFor(server: string): string {
    return this.mode === 'none' || !this.scopePrefix ? '' : scopeOf(this.scopePrefix, server);
  }

  /**
   * The environment of the gate (app/auth): what a server, or a container agent for its own routes,
   * checks tokens with. `frontDoor`: the stack's front door (https://host), which publishes the
   * authorization-server metadata of a Cognito stack; `audiences`: oidc, the URLs a token may name.
   */
  gateEnvironment(frontDoor: pulumi.Input<string>, audiences: pulumi.Input<string>[] = []): Record<string, pulumi.Input<string>> {
    const c = this.config;
    if (this.mode === 'none') return { [ENV.authMode]: 'none' };
    const common = { [ENV.authMode]: this.mode, [ENV.authIssuer]: this.issuer!, ...(this.scopePrefix ? { [ENV.authScopePrefix]: this.scopePrefix } : {}) };
    if (this.mode === 'oidc') {
      return {
        ...common,
        ...(c.oidcJwksUrl ? { [ENV.authJwksUrl]: c.oidcJwksUrl } : {}),
        [ENV.authAudiences]: pulumi.all([...audiences, ...(c.oidcAudience ? [c.oidcAudience] : [])]).apply((a) => a.join(',')),
      };
    }
    return {
      ...common,
      [ENV.authClientIds]: this.clientIds!.apply((ids) => ids.join(',')),
      [ENV.authMetadataIssuer]: frontDoor,
      [ENV.authLoginUrl]: this.loginUrl!,
      ...(c.authRegistration === 'shared'
        ? { [ENV.authRegistration]: 'shared', [ENV.authPublicClientId]: this.publicClientId!, [ENV.authCallbackUrls]: c.authCallbackUrls.join(',') }
        : {}),
    };
  }

  /** The agent's environment towards the servers: where it gets tokens, and the secret it gets them with. */
  agentEnvironment(): Record<string, pulumi.Input<string>> {
    if (this.mode === 'none') return { [ENV.authMode]: 'none' };
    return { [ENV.authTokenUrl]: this.tokenUrl!, [ENV.authClientSecretArn]: this.agentSecretArn! };
  }

  /** The agent's permission to read its secret (and nothing else of Secrets Manager); none without auth. */
  agentSecretStatements(): object[] {
    return this.agentSecretArn ? [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: this.agentSecretArn }] : [];
  }
}

