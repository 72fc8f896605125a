// Secrets the app reads from AWS Secrets Manager at run time, on first use, and keeps for the life of
// the process. The value is never logged; a failure is, with the secret's ARN and why.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createLogger, type Logger } from './logger';

/** How long one read may take, then how many attempts: a call waiting on the key fails rather than hangs. */
export const SECRET_READ = { connectionTimeoutMs: 3000, requestTimeoutMs: 5000, maxAttempts: 2 } as const;

/** A secret that could not be read (the message says which, and why). */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

export interface ReadSecretOptions {
  /** Where failures are logged (default: the app's `mcp-server` logger). */
  logger?: Logger;
  /** The client to read with (default: one per process, made on first use). */
  client?: SecretsManagerClient;
}

const cache = new Map<string, Promise<Uint8Array>>();
let sharedClient: Promise<SecretsManagerClient> | undefined;
let appLogger: Logger | undefined;

// Loaded on first use, not when the app starts: only a call that needs a secret pays for the SDK.
function defaultClient(): Promise<SecretsManagerClient> {
  sharedClient ??= import('@aws-sdk/client-secrets-manager').then(
    ({ SecretsManagerClient: Client }) =>
      new Client({
        maxAttempts: SECRET_READ.maxAttempts,
        requestHandler: { connectionTimeout: SECRET_READ.connectionTimeoutMs, requestTimeout: SECRET_READ.requestTimeoutMs },
      }),
  );
  return sharedClient;
}

async function fetchSecret(arn: string, options: ReadSecretOptions): Promise<Uint8Array> {
  const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = options.client ?? (await defaultClient());
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (typeof out.SecretString === 'string' && out.SecretString !== '') return new Uint8Array(Buffer.from(out.SecretString, 'utf8'));
  if (out.SecretBinary instanceof Uint8Array && out.SecretBinary.length > 0) return out.SecretBinary;
  throw new Error('the secret has no value');
}

/**
 * The value of secret `arn` (its string as UTF-8 bytes, or its binary), read once per process: later
 * calls share the first read. A failed read is logged and not kept, so the next call tries again; it
 * rejects with a SecretUnavailableError naming the secret and the cause.
 */
export function readSecret(arn: string, options: ReadSecretOptions = {}): Promise<Uint8Array> {
  const cached = cache.get(arn);
  if (cached) return cached;
  const read = fetchSecret(arn, options).catch((err: unknown) => {
    cache.delete(arn);
    const cause = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    (options.logger ?? (appLogger ??= createLogger('mcp-server'))).error({ secretArn: arn, err }, `could not read secret ${arn}: ${cause}`);
    throw new SecretUnavailableError(`could not read secret ${arn} (${cause})`, { cause: err });
  });
  cache.set(arn, read);
  return read;
}

/** Forgets secret `arn`: the next read asks Secrets Manager again (a rotated value). */
export function forgetSecret(arn: string): void {
  cache.delete(arn);
}

/** Forgets every secret read and the client (tests). */
export function forgetSecrets(): void {
  cache.clear();
  sharedClient = undefined;
}
