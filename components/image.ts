import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as aws from '@pulumi/aws';
import * as dockerBuild from '@pulumi/docker-build';
import * as pulumi from '@pulumi/pulumi';

const root = path.resolve(__dirname, '..');

/** What the Dockerfile's build reads (as .dockerignore admits it): a change to any of it makes a new tag. */
export const BUILD_CONTEXT = ['Dockerfile', 'package.json', 'package-lock.json', 'tsconfig.json', 'app', 'scripts'];

function files(entry: string): string[] {
  const full = path.join(root, entry);
  if (!statSync(full).isDirectory()) return [entry];
  return readdirSync(full, { recursive: true })
    .map((f) => path.join(entry, String(f)))
    .filter((f) => statSync(path.join(root, f)).isFile())
    .sort();
}

/** A short content hash of the build context: the image tag, so that equal code gives an equal tag. */
export function contextHash(): string {
  const hash = createHash('sha256');
  for (const file of BUILD_CONTEXT.flatMap(files)) {
    hash.update(file.split(path.sep).join('/')).update('\0').update(readFileSync(path.join(root, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export interface ContainerImageArgs {
  /** Images the repository keeps; older ones expire. */
  retentionCount: number;
}

/** An ECR repository (scan on push, expiring old images) and the app's arm64 image, built from the Dockerfile during `up`. */
export class ContainerImage extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly repositoryArn: pulumi.Output<string>;
  /** The pushed image by digest, for task definitions and pod specs. */
  readonly imageRef: pulumi.Output<string>;
  readonly tag: string;

  constructor(name: string, args: ContainerImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:ContainerImage', name, {}, opts);
    const parent = this;
    const repository = new aws.ecr.Repository(
      `${name}-repo`,
      {
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: 'IMMUTABLE',
        encryptionConfigurations: [{ encryptionType: 'AES256' }],
        forceDelete: true,
      },
      { parent },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-expiry`,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `Keep the last ${args.retentionCount} images`,
              selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: args.retentionCount },
              action: { type: 'expire' },
            },
          ],
        }),
      },
      { parent },
    );
    const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent });
    this.tag = contextHash();
    const image = new dockerBuild.Image(
      `${name}-image`,
      {
        context: { location: root },
        dockerfile: { location: path.join(root, 'Dockerfile') },
        platforms: ['linux/arm64'],
        push: true,
        tags: [pulumi.interpolate`${repository.repositoryUrl}:${this.tag}`],
        registries: [{ address: repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) }],
      },
      { parent },
    );
    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryArn = repository.arn;
    this.imageRef = image.ref;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageRef: this.imageRef });
  }
}
