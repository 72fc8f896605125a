import { BlockList, isIP, isIPv4 } from 'node:net';
import { DiscoverInstancesCommand, ListServicesCommand, type ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { ATTRIBUTES, AUTH_MODES, ECS_ATTRIBUTES, MCP_PATH, MCP_PORT, serverNameProblem, type AuthMode } from '../contract';
import type { Logger } from '../logger';
import { sanitizeMessage } from './upstream';

/** One place an MCP server answers: a replica of a server, or the server's front-door URL. */
export interface McpEndpoint {
  /** Cloud Map instance id, or the URL itself for a static list. */
  id: string;
  url: string;
  /** The server's name (Cloud Map: its mcp_server attribute, else its service's name). */
  server: string;
  /** An ECS task reached at its own address; else a URL registered for the server (its front door). */
  direct: boolean;
  /** The Cloud Map service it is registered in. */
  service?: string;
  /** lambda, fargate or eks, when the registration says. */
  target?: string;
  /** How the server authorizes requests, when its registration says (mcp_auth); a static list says nothing. */
  auth?: AuthMode;
  /** The scope a call needs ('' none), as the registration says. */
  authScope?: string;
  /** The server's registered URL, which tokens name as their audience (an ECS task is reached at its own address). */
  resource?: string;
}

/** Where the agent learns which MCP servers exist. */
export interface Resolver {
  /** The servers' endpoints as known now (cached), sorted by server, direct ones first. */
  resolve(): Promise<McpEndpoint[]>;
  /** Forget the cache: the next resolve() asks again. Called when a server fails. */
  invalidate(): void;
  /** For /servers: where the list comes from. */
  readonly source: string;
}

/** An item of MCP_SERVERS: a server's name and one of its URLs. */
export interface StaticServer {
  server: string;
  url: string;
}

/**
 * An MCP_SERVERS item: `name=url`, or a bare URL whose server is named by its path (`/<name>/mcp`)
 * or else by its host. Throws an Error saying what is wrong.
 */
export function parseStaticServer(item: string): StaticServer {
  const eq = item.indexOf('=');
  const named = eq > 0 && !/^[a-z][a-z0-9+.-]*:/i.test(item.slice(0, eq));
  const name = named ? item.slice(0, eq).trim() : undefined;
  const text = named ? item.slice(eq + 1).trim() : item;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${item}" is not name=url or an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${item}": the URL must be http(s)`);
  if (name !== undefined) {
    const problem = serverNameProblem(name);
    if (problem) throw new Error(`"${item}": the server name ${problem}`);
    return { server: name, url: url.href };
  }
  const segments = url.pathname.split('/');
  const fromPath = segments.length >= 3 && segments[segments.length - 1] === MCP_PATH.slice(1) ? segments[segments.length - 2]! : undefined;
  const server = fromPath !== undefined && serverNameProblem(fromPath) === undefined ? fromPath : url.hostname;
  return { server, url: url.href };
}

const byServer = (a: McpEndpoint, b: McpEndpoint) =>
  a.server < b.server ? -1 : a.server > b.server ? 1 : Number(b.direct) - Number(a.direct);

/** A fixed list of MCP servers (MCP_SERVERS), for running locally: no AWS, same code path after it. */
export class StaticResolver implements Resolver {
  readonly source = 'static';
  private readonly endpoints: McpEndpoint[];

  /** `servers`: MCP_SERVERS items (see parseStaticServer), or parsed ones. */
  constructor(servers: readonly (string | StaticServer)[]) {
    this.endpoints = servers
      .map((s) => (typeof s === 'string' ? parseStaticServer(s) : s))
      .map(({ server, url }) => ({ id: url, url, server, direct: false }))
      .sort(byServer);
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
  /** The namespace's id, to list its services (ListServices filters by id only). Needed unless `serviceName` is set. */
  namespaceId?: string;
  /** Only this service (CLOUD_MAP_SERVICE): no ListServices. */
  serviceName?: string;
  /** How long an answer is used. Default 30 s. */
  ttlMs?: number;
  /** Port of ECS-registered tasks that carry no AWS_INSTANCE_PORT. Default 3000. */
  defaultPort?: number;
  /** DiscoverInstances calls at once. Default 8. */
  concurrency?: number;
  /** ListServices pages (100 services each, filtered after paging) followed at the most. Default 10. */
  maxPages?: number;
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

/** `items` mapped by `fn`, at most `limit` at a time, in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * Every MCP server of a Cloud Map namespace: its services (ListServices, filtered by the namespace id,
 * or the one service `serviceName`), then the healthy instances of each (DiscoverInstances, a few
 * services at a time), as endpoints: the URL a target registered (`mcp_url`), or http://<ipv4>:<port>/mcp
 * for an ECS task. An instance's server is its `mcp_server` attribute; a service's ECS tasks carry none,
 * so they take the one its registered endpoint says, else the service's name. Instances whose attributes
 * fail validation (see instanceUrl) are skipped and logged. The whole answer is cached for `ttlMs`, so
 * a service created after the agent started is found within one TTL. When a service cannot be asked,
 * its last answer is used; when ListServices fails, the last whole answer, else a DiscoveryError.
 */
export class CloudMapResolver implements Resolver {
  readonly source: string;
  private cache?: { endpoints: McpEndpoint[]; expires: number };
  /** Each service's last answer. */
  private readonly lastOf = new Map<string, McpEndpoint[]>();
  /** Services already logged as having no usable instance. */
  private readonly emptyLogged = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly opts: CloudMapResolverOptions) {
    if (!opts.serviceName && !opts.namespaceId) throw new Error('CloudMapResolver: give the namespace id (to list its services) or one service name');
    this.source = opts.serviceName ? `cloudmap:${opts.namespaceName}/${opts.serviceName}` : `cloudmap:${opts.namespaceName}`;
    this.now = opts.now ?? Date.now;
  }

  async resolve(): Promise<McpEndpoint[]> {
    if (this.cache && this.now() < this.cache.expires) return this.cache.endpoints;
    let services: string[];
    try {
      services = this.opts.serviceName ? [this.opts.serviceName] : await this.listServices();
    } catch (err) {
      return this.fallBack(`Cloud Map ListServices (namespace ${this.opts.namespaceName}, ${this.opts.namespaceId})`, err);
    }
    const skipped: { service: string; instanceId: string; reason: string }[] = [];
    const failures: { service: string; err: string }[] = [];
    const answers = await mapLimit(services, this.opts.concurrency ?? 8, async (service) => {
      try {
        const endpoints = await this.discover(service, skipped);
        this.lastOf.set(service, endpoints);
        return endpoints;
      } catch (err) {
        failures.push({ service, err: errorText(err) });
        return this.lastOf.get(service);
      }
    });
    for (const known of [...this.lastOf.keys()]) if (!services.includes(known)) this.lastOf.delete(known);
    for (const skip of skipped.slice(0, MAX_SKIP_LOGS)) this.opts.logger?.warn(skip, 'Cloud Map instance skipped');
    if (skipped.length > MAX_SKIP_LOGS) {
      this.opts.logger?.warn({ more: skipped.length - MAX_SKIP_LOGS }, 'more Cloud Map instances skipped');
    }
    const unanswered = failures.filter((f) => !this.lastOf.has(f.service));
    for (const f of failures) {
      this.opts.logger?.warn(f, this.lastOf.has(f.service) ? 'Cloud Map DiscoverInstances failed; using the last answer' : 'Cloud Map DiscoverInstances failed');
    }
    if (unanswered.length && unanswered.length === services.length) {
      return this.fallBack(
        `Cloud Map DiscoverInstances (${unanswered.map((f) => `${this.opts.namespaceName}/${f.service}`).join(', ')})`,
        new Error(unanswered.map((f) => f.err).join('; ')),
        true,
      );
    }
    const endpoints = answers.flatMap((a) => a ?? []).sort(byServer);
    // A service not answered yet is asked again at the next request, not a TTL later.
    this.cache = { endpoints, expires: unanswered.length ? 0 : this.now() + (this.opts.ttlMs ?? 30_000) };
    return endpoints;
  }

  invalidate(): void {
    // Keep the endpoints as a fallback, but ask Cloud Map again next time.
    if (this.cache) this.cache = { ...this.cache, expires: 0 };
  }

  /** The last whole answer when there is one, else a DiscoveryError naming what failed. */
  private fallBack(what: string, err: unknown, described = false): McpEndpoint[] {
    const message = described && err instanceof Error ? err.message : errorText(err);
    if (this.cache) {
      this.opts.logger?.warn({ err: message }, `${what} failed; using the last answer`);
      return this.cache.endpoints;
    }
    throw new DiscoveryError(`${what} failed: ${message}`);
  }

  /** The names of the namespace's services, following NextToken for `maxPages` pages at the most. */
  private async listServices(): Promise<string[]> {
    const names: string[] = [];
    let NextToken: string | undefined;
    const maxPages = this.opts.maxPages ?? 10;
    for (let page = 0; page < maxPages; page++) {
      const out = await this.opts.client.send(
        new ListServicesCommand({
          Filters: [{ Name: 'NAMESPACE_ID', Values: [this.opts.namespaceId!], Condition: 'EQ' }],
          MaxResults: 100,
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      for (const s of out.Services ?? []) if (s.Name && !names.includes(s.Name)) names.push(s.Name);
      NextToken = out.NextToken;
      if (!NextToken) return names;
    }
    this.opts.logger?.warn({ pages: maxPages, services: names.length }, 'Cloud Map ListServices has more pages; the rest are not read');
    return names;
  }

  /** The usable endpoints of one service's healthy instances; skipped ones are added to `skipped`. */
  private async discover(service: string, skipped: { service: string; instanceId: string; reason: string }[]): Promise<McpEndpoint[]> {
    const out = await this.opts.client.send(
      new DiscoverInstancesCommand({ NamespaceName: this.opts.namespaceName, ServiceName: service, HealthStatus: 'HEALTHY', MaxResults: 100 }),
    );
    const instances = (out.Instances ?? []).filter((i) => i.HealthStatus !== 'UNHEALTHY');
    const skip = (instanceId: string | undefined, reason: string) =>
      skipped.push({ service: sanitizeMessage(service, 64), instanceId: sanitizeMessage(instanceId ?? 'unknown', 64), reason });
    // The service's server: the name its registered endpoint gives, else the service's own.
    const declared = instances.map((i) => i.Attributes?.[ATTRIBUTES.server]).find((n) => n !== undefined && serverNameProblem(n) === undefined);
    // How the service's server authorizes requests, as its registered endpoint says: its tasks carry none.
    const registration = instances.find((i) => i.Attributes?.[ATTRIBUTES.auth] !== undefined)?.Attributes ?? {};
    const mode = (AUTH_MODES as readonly string[]).includes(registration[ATTRIBUTES.auth] ?? '') ? (registration[ATTRIBUTES.auth] as AuthMode) : undefined;
    const authOf = mode
      ? { auth: mode, authScope: registration[ATTRIBUTES.authScope] ?? '', ...(registration[ATTRIBUTES.url] ? { resource: registration[ATTRIBUTES.url] } : {}) }
      : {};
    const fallback = declared ?? (serverNameProblem(service) === undefined ? service : undefined);
    const endpoints: McpEndpoint[] = [];
    for (const instance of instances) {
      const id = instance.InstanceId ?? 'unknown';
      const attrs = instance.Attributes ?? {};
      const own = attrs[ATTRIBUTES.server];
      if (own !== undefined && serverNameProblem(own) !== undefined) {
        skip(id, `${ATTRIBUTES.server} is not a server name`);
        continue;
      }
      const server = own ?? fallback;
      if (server === undefined) {
        skip(id, `no ${ATTRIBUTES.server} attribute, and the service's name is not a server name`);
        continue;
      }
      const found = instanceUrl(attrs, this.opts.defaultPort ?? MCP_PORT);
      if ('skipped' in found) {
        skip(id, found.skipped);
        continue;
      }
      const direct = attrs[ATTRIBUTES.url] === undefined;
      const target = attrs[ATTRIBUTES.target] ?? (direct ? 'fargate' : undefined);
      endpoints.push({ id, url: found.url, server, direct, service, ...(target ? { target } : {}), ...authOf });
    }
    if (endpoints.length === 0 && !this.emptyLogged.has(service)) {
      this.emptyLogged.add(service);
      this.opts.logger?.info({ service: sanitizeMessage(service, 64) }, 'Cloud Map service has no usable instance; skipped');
    }
    return endpoints;
  }
}
