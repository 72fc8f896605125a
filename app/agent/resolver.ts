import { DiscoverInstancesCommand, type HttpInstanceSummary, type ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import type { Logger } from '../logger';

/** An MCP server the agent can call. */
export interface McpEndpoint {
  /** Cloud Map instance id, or the URL itself for a static list. */
  id: string;
  url: string;
  /** lambda, fargate or eks, when the registration says. */
  target?: string;
}

/** Where the agent learns which MCP servers exist. */
export interface Resolver {
  /** The servers as known now (cached). */
  resolve(): Promise<McpEndpoint[]>;
  /** Forget the cache: the next resolve() asks again. Called when a server fails. */
  invalidate(): void;
  /** For /servers: where the list comes from. */
  readonly source: string;
}

/** A fixed list of MCP URLs (MCP_SERVERS), for running locally: no AWS, same code path after it. */
export class StaticResolver implements Resolver {
  readonly source = 'static';
  private readonly endpoints: McpEndpoint[];

  constructor(urls: readonly string[]) {
    this.endpoints = urls.map((url) => ({ id: url, url }));
  }

  async resolve(): Promise<McpEndpoint[]> {
    return this.endpoints;
  }

  invalidate(): void {}
}

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

export interface CloudMapResolverOptions {
  client: Pick<ServiceDiscoveryClient, 'send'>;
  namespaceName: string;
  serviceName: string;
  /** How long a DiscoverInstances answer is used. Default 30 s. */
  ttlMs?: number;
  /** Port of ECS-registered tasks that carry no AWS_INSTANCE_PORT. Default 3000. */
  defaultPort?: number;
  logger?: Logger;
  now?: () => number;
}

/** Attribute names the targets register (components/discovery.ts) and ECS sets. */
const URL_ATTRIBUTE = 'mcp_url';
const TARGET_ATTRIBUTE = 'mcp_target';

/**
 * Healthy instances of the MCP discovery service through Cloud Map DiscoverInstances, as MCP URLs:
 * the URL attribute a target registered, or http://<ipv4>:<port>/mcp for an ECS task. Answers are
 * cached for `ttlMs`; when Cloud Map fails (throttling, say), the last answer is used if there is one.
 */
export class CloudMapResolver implements Resolver {
  readonly source: string;
  private cache?: { endpoints: McpEndpoint[]; expires: number };
  private readonly now: () => number;

  constructor(private readonly opts: CloudMapResolverOptions) {
    this.source = `cloudmap:${opts.namespaceName}/${opts.serviceName}`;
    this.now = opts.now ?? Date.now;
  }

  async resolve(): Promise<McpEndpoint[]> {
    if (this.cache && this.now() < this.cache.expires) return this.cache.endpoints;
    try {
      const out = await this.opts.client.send(
        new DiscoverInstancesCommand({
          NamespaceName: this.opts.namespaceName,
          ServiceName: this.opts.serviceName,
          HealthStatus: 'HEALTHY',
          MaxResults: 100,
        }),
      );
      const endpoints = (out.Instances ?? [])
        .filter((i) => i.HealthStatus !== 'UNHEALTHY')
        .map((i) => this.toEndpoint(i))
        .filter((e): e is McpEndpoint => e !== undefined);
      this.cache = { endpoints, expires: this.now() + (this.opts.ttlMs ?? 30_000) };
      return endpoints;
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (this.cache) {
        this.opts.logger?.warn({ err: message }, 'Cloud Map DiscoverInstances failed; using the last answer');
        return this.cache.endpoints;
      }
      throw new DiscoveryError(`Cloud Map DiscoverInstances (${this.opts.namespaceName}/${this.opts.serviceName}) failed: ${message}`);
    }
  }

  invalidate(): void {
    // Keep the endpoints as a fallback, but ask Cloud Map again next time.
    if (this.cache) this.cache = { ...this.cache, expires: 0 };
  }

  private toEndpoint(instance: HttpInstanceSummary): McpEndpoint | undefined {
    const attrs = instance.Attributes ?? {};
    const id = instance.InstanceId ?? 'unknown';
    const target = attrs[TARGET_ATTRIBUTE];
    if (attrs[URL_ATTRIBUTE]) return { id, url: attrs[URL_ATTRIBUTE], ...(target ? { target } : {}) };
    const ip = attrs.AWS_INSTANCE_IPV4;
    if (ip) {
      const port = attrs.AWS_INSTANCE_PORT ?? String(this.opts.defaultPort ?? 3000);
      return { id, url: `http://${ip}:${port}/mcp`, target: target ?? 'fargate' };
    }
    this.opts.logger?.warn({ instanceId: id }, 'Cloud Map instance has neither an MCP URL nor an IPv4 address; skipped');
    return undefined;
  }
}
