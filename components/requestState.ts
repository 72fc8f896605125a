// The key every instance of a server signs its multi-round-trip request state with: one Secrets Manager
// secret per stack, from which each server derives its own key (app/mcp/input.ts).
import { randomBytes } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export const REQUEST_STATE_TYPE = 'mcp-on-aws:requestState:RequestState';

/** The secret's length in bytes: twice what a server's key needs (app/mcp/input.ts MIN_REQUEST_STATE_KEY_BYTES). */
export const REQUEST_STATE_SECRET_BYTES = 64;

export interface RequestStateArgs {
  project: string;
  stack: string;
}

/**
 * The stack's request-state secret: a random value made once, when the secret is created, and kept
 * (a later `pulumi up` does not change it). Its ARN is given to the servers, which may read it and
 * nothing else of Secrets Manager.
 */
export class RequestState extends pulumi.ComponentResource {
  /** Through the secret's version: what reads the ARN waits until there is a value to read. */
  readonly secretArn: pulumi.Output<string>;

  constructor(name: string, args: RequestStateArgs, opts?: pulumi.ComponentResourceOptions) {
    super(REQUEST_STATE_TYPE, name, {}, opts);
    const parent = this;
    const secret = new aws.secretsmanager.Secret(
      `${name}-key`,
      { description: `The key the MCP servers of ${args.project} stack ${args.stack} sign their request state with (each server derives its own)` },
      { parent },
    );
    const version = new aws.secretsmanager.SecretVersion(
      `${name}-key`,
      // ASCII, so that a console or CLI shows it as it is; the servers use its bytes. (The provider keeps it a Pulumi secret.)
      { secretId: secret.id, secretString: randomBytes((REQUEST_STATE_SECRET_BYTES * 3) / 4).toString('base64url') },
      // The value is made anew each run: the one the secret was created with stays.
      { parent, ignoreChanges: ['secretString'] },
    );
    this.secretArn = pulumi.all([secret.arn, version.id]).apply(([arn]) => arn);
    this.registerOutputs({ secretArn: this.secretArn });
  }

  /** Reading the secret, and nothing else. */
  readStatement(): object {
    return { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: this.secretArn };
  }
}
