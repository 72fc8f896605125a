import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as aws from '@pulumi/aws';
import * as dockerBuild from '@pulumi/docker-build';
import * as pulumi from '@pulumi/pulumi';

const root = path.resolve(__dirname, '..');

/** What the Dockerfile's build reads (as .dockerignore admits it): a change to any of it makes a new tag. */
export const BUILD_CONTEXT = ['Dockerfile', 'package.json', 'package-lock.json', 'tsconfig.json', 'app', 'scripts'];

function files(dir: string, entry: string): string[] {
  const full = path.join(dir, entry);
  if (!statSync(full).isDirectory()) return [entry];
  return readdirSync(full, { recursive: true })
    .map((f) => path.join(entry, String(f)))
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .sort();
}

/** A short content hash of the build context in `dir`: the image tag, so that equal code gives an equal tag. */
export function contextHash(dir: string = root): string {
  const hash = createHash('sha256');
  for (const file of BUILD_CONTEXT.flatMap((entry) => files(dir, entry))) {
    hash.update(file.split(path.sep).join('/')).update('\0').update(readFileSync(path.join(dir, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Image tags this program pushes start with this; the repository lets them be pushed again (see below). */
export const BUILD_TAG_PREFIX = 'build-';

/**
 * Where docker-build finds the build, as it compares it between runs: relative to the program's working
 * directory (the project's, under Pulumi), so that a checkout at another path (CI after a laptop) does not
 * count as a change and rebuild; and the tag, made from the sources' content alone.
 */
export function buildInputs(dir: string = root, cwd: string = process.cwd()) {
  const context = path.relative(cwd, dir) || '.';
  return {
    context: { location: context },
    dockerfile: { location: path.join(context, 'Dockerfile') },
    tag: `${BUILD_TAG_PREFIX}${contextHash(dir)}`,
  };
}

/**
 * Tags are immutable but for this program's build tags. docker-build rebuilds when its own hash of the
 * context changes, and that hash covers file modes, which differ between checkouts (umask): the rebuild
 * pushes the tag it already pushed, which an IMMUTABLE repository refuses. Build tags may be pushed again;
 * tasks and pods run the image by digest, so a moved tag changes nothing that runs.
 */
const TAG_MUTABILITY: Pick<aws.ecr.RepositoryArgs, 'imageTagMutability' | 'imageTagMutabilityExclusionFilters'> = {
  imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
  imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: `${BUILD_TAG_PREFIX}*` }],
};

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
        ...TAG_MUTABILITY,
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
    const build = buildInputs();
    this.tag = build.tag;
    const image = new dockerBuild.Image(
      `${name}-image`,
      {
        context: build.context,
        dockerfile: build.dockerfile,
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
