import { BlockList, isIP, isIPv4 } from 'node:net';
import { DiscoverInstancesCommand, type ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { ATTRIBUTES, ECS_ATTRIBUTES, MCP_PATH, MCP_PORT } from '../contract';
import type { Logger } from '../logger';
import { sanitizeMessage } from './upstream';

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

/** Skipped instances logged per DiscoverInstances answer at the most (the rest are counted). */
const MAX_SKIP_LOGS = 5;

/**
 * Addresses the agent never calls, whatever Cloud Map says: link-local (169.254.0.0/16, where the
 * instance metadata and ECS credential endpoints live, and fe80::/10) and EC2's IPv6 metadata address.
 * IPv4-mapped IPv6 forms (::ffff:169.254.169.254) are checked against the IPv4 rules.
 */
const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
FORBIDDEN.addAddress('fd00:ec2::254', 'ipv6');

function isForbiddenAddress(host: string): boolean {
  const ip = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(ip);
  return family !== 0 && FORBIDDEN.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The MCP URL an instance's attributes give, or why there is none. `mcp_url` must be an http(s) URL
 * without userinfo; an ECS task's AWS_INSTANCE_IPV4 a literal IPv4 address and AWS_INSTANCE_PORT a
 * port number. Hosts are compared after WHATWG URL parsing, which turns decimal and hex IPv4
 * spellings (http://2852039166/) into dotted form.
 */
export function instanceUrl(attrs: Record<string, string>, defaultPort: number): { url: string } | { skipped: string } {
  const registered = attrs[ATTRIBUTES.url];
  if (registered !== undefined) {
    let url: URL;
    try {
      url = new URL(registered);
    } catch {
      return { skipped: `${ATTRIBUTES.url} is not a URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { skipped: `${ATTRIBUTES.url} is not http(s) but ${url.protocol}` };
    if (url.username || url.password) return { skipped: `${ATTRIBUTES.url} carries userinfo` };
    if (isForbiddenAddress(url.hostname)) return { skipped: `${ATTRIBUTES.url} points to a link-local address` };
    return { url: url.href };
  }
  const ip = attrs[ECS_ATTRIBUTES.ipv4];
  if (ip === undefined) return { skipped: 'neither an MCP URL nor an IPv4 address' };
  if (!isIPv4(ip)) return { skipped: `${ECS_ATTRIBUTES.ipv4} is not an IPv4 address` };
  if (isForbiddenAddress(ip)) return { skipped: `${ECS_ATTRIBUTES.ipv4} is link-local` };
  const portText = attrs[ECS_ATTRIBUTES.port];
  const port = portText === undefined ? defaultPort : /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { skipped: `${ECS_ATTRIBUTES.port} is not a port number (1-65535)` };
  return { url: `http://${ip}:${port}${MCP_PATH}` };
}

/**
 * Healthy instances of the MCP discovery service through Cloud Map DiscoverInstances, as MCP URLs:
 * the URL attribute a target registered, or http://<ipv4>:<port>/mcp for an ECS task. Instances whose
 * attributes fail validation (see instanceUrl) are skipped and logged. Answers are cached for
 * `ttlMs`; when Cloud Map fails (throttling, say), the last answer is used if there is one.
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
      const endpoints: McpEndpoint[] = [];
      const skipped: { instanceId: string; reason: string }[] = [];
      for (const instance of out.Instances ?? []) {
        if (instance.HealthStatus === 'UNHEALTHY') continue;
        const id = instance.InstanceId ?? 'unknown';
        const attrs = instance.Attributes ?? {};
        const found = instanceUrl(attrs, this.opts.defaultPort ?? MCP_PORT);
        if ('skipped' in found) {
          skipped.push({ instanceId: sanitizeMessage(id, 64), reason: found.skipped });
          continue;
        }
        const target = attrs[ATTRIBUTES.target] ?? (attrs[ATTRIBUTES.url] === undefined ? 'fargate' : undefined);
        endpoints.push({ id, url: found.url, ...(target ? { target } : {}) });
      }
      for (const skip of skipped.slice(0, MAX_SKIP_LOGS)) this.opts.logger?.warn(skip, 'Cloud Map instance skipped');
      if (skipped.length > MAX_SKIP_LOGS) {
        this.opts.logger?.warn({ more: skipped.length - MAX_SKIP_LOGS }, 'more Cloud Map instances skipped');
      }
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
}
