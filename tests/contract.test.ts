// The environment the program gives the app, fed to the app itself: what the program sets (e.g.
// ALLOWED_HOSTS=*) and what the app reads must agree, on a real local server.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DiscoverInstancesCommand, ListServicesCommand, ServiceDiscoveryClient, type HttpInstanceSummary } from '@aws-sdk/client-servicediscovery';
import { parse } from 'yaml';
import { readAgentEnv, type AgentEnv } from '../app/agent/config';
import { resolverFromEnv } from '../app/agent/main';
import { appOptionsFromEnv, readEnv } from '../app/config';
import { EmfMetrics } from '../app/observability/metrics';
import { ATTRIBUTES, TARGETS } from '../app/contract';
import { MCP_CORS } from '../app/cors';
import { createApp } from '../app/createApp';
import { startServer } from '../app/main';
import { loadServer } from './app/testServers';
import { cloudMap } from './helpers/cloudMap';
import { listen, post, request, rpcBody, silentLogger } from './helpers/http';
import { deployWith, valueOf, type Deployed } from './helpers/pulumi';

const ORIGIN = 'https://app.example.com';
const OTHER = 'https://evil.example.com';
const IDLE_TIMEOUT_SECONDS = 240;
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'contract', version: '1' } },
};

const envOf = (list: { name: string; value: string }[]) => Object.fromEntries(list.map((e) => [e.name, e.value]));

/** How each container target passes the environment and the load balancer's idle timeout. */
const containerTargets: Record<string, { env(d: Deployed): Record<string, string>; idleTimeoutSeconds(d: Deployed): number }> = {
  fargate: {
    env: (d) => envOf(JSON.parse(d.one('aws:ecs/taskDefinition:TaskDefinition', 'fargate-cost-task').inputs.containerDefinitions)[0].environment),
    idleTimeoutSeconds: (d) => d.one('aws:lb/loadBalancer:LoadBalancer').inputs.idleTimeout,
  },
  eks: {
    env: (d) => envOf(d.one('kubernetes:apps/v1:Deployment', 'eks-cost-deployment').inputs.spec.template.spec.containers[0].env),
    idleTimeoutSeconds: (d) => {
      const attributes = d.one('kubernetes:networking.k8s.io/v1:Ingress', 'eks-front-door').inputs.metadata.annotations['alb.ingress.kubernetes.io/load-balancer-attributes'];
      return Number(/idle_timeout\.timeout_seconds=(\d+)/.exec(attributes)![1]);
    },
  },
};

describe('the environment contract between the program and the app', function () {
  this.timeout(120_000);

  for (const [target, read] of Object.entries(containerTargets)) {
    it(`${target}: the app starts with the environment of every idle timeout the stack allows (1 to 4000 s)`, async () => {
      for (const idle of [1, 3600, 3601, 4000]) {
        const d = await deployWith({ target, idleTimeoutSeconds: idle });
        assert.equal(read.idleTimeoutSeconds(d), idle);
        const env = readEnv(read.env(d));
        assert.ok(env.KEEP_ALIVE_TIMEOUT_MS > idle * 1000, `idleTimeoutSeconds ${idle}: keep-alive ${env.KEEP_ALIVE_TIMEOUT_MS} ms`);
      }
    });
  }

  for (const [target, read] of Object.entries(containerTargets)) {
    describe(`${target}: the container's environment, served by the container entry`, () => {
      let server: Server;
      let url: string;
      let idleTimeoutSeconds: number;
      let env: Record<string, string>;

      before(async () => {
        const d = await deployWith({ target, auth: 'none', allowedOrigins: [ORIGIN], idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS });
        env = read.env(d);
        idleTimeoutSeconds = read.idleTimeoutSeconds(d);
        assert.equal(idleTimeoutSeconds, IDLE_TIMEOUT_SECONDS);
        // As the container starts it, but on loopback: the options still follow the HOST it is given.
        server = await startServer({ draining: false }, silentLogger, readEnv(env), { host: '127.0.0.1', port: 0 });
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });
      after(async () => {
        server?.closeAllConnections();
        await new Promise((r) => server?.close(r));
      });

      it('serves a request addressed by IP (the agent reaches tasks and pods by IP)', async () => {
        const res = await post(`${url}/mcp`, initialize, { host: '10.0.3.17:3000' });
        assert.equal(res.status, 200);
        // MCP_SERVER when the program sets it, else the front door, whose /mcp is the primary's: cost either way.
        assert.equal((await rpcBody(res)).result.serverInfo.name, `mcp-on-aws-${env.MCP_SERVER ?? 'cost'}`);
      });

      it('answers SSE, as containers stream', async () => {
        const res = await post(`${url}/mcp`, initialize, { host: 'mcp.example.com' });
        assert.match(res.headers.get('content-type')!, /text\/event-stream/);
        await res.text();
      });

      it('lets the allowed origin through with CORS, and refuses another', async () => {
        const preflight = await request(`${url}/mcp`, {
          method: 'OPTIONS',
          headers: { host: 'mcp.example.com', origin: ORIGIN, 'access-control-request-method': 'POST' },
        });
        assert.equal(preflight.status, 204);
        assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
        const allowed = await post(`${url}/mcp`, initialize, { host: 'mcp.example.com', origin: ORIGIN });
        assert.equal(allowed.status, 200);
        assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN);
        await allowed.text();
        const other = await post(`${url}/mcp`, initialize, { host: 'mcp.example.com', origin: OTHER });
        assert.equal(other.status, 403);
        assert.equal(other.headers.get('access-control-allow-origin'), null);
        await other.text();
      });

      it('keeps connections alive longer than the load balancer, and cuts slow headers well before', async () => {
        assert.ok(server.keepAliveTimeout > idleTimeoutSeconds * 1000, `${server.keepAliveTimeout} ms`);
        assert.ok(server.headersTimeout < idleTimeoutSeconds * 1000, `${server.headersTimeout} ms`);
        const res = await request(`${url}/healthz`);
        const advertised = Number(/timeout=(\d+)/.exec(res.headers.get('keep-alive') ?? '')?.[1]);
        assert.ok(advertised > idleTimeoutSeconds, `Keep-Alive: timeout=${advertised}`);
        await res.text();
      });
    });
  }

  describe('lambda: the function environment, served as the Lambda entry builds the app', () => {
    let d: Deployed;
    let running: Awaited<ReturnType<typeof listen>>;
    const API_HOST = 'abc123.execute-api.us-east-1.amazonaws.com';

    before(async () => {
      d = await deployWith({ target: 'lambda', auth: 'none', allowedOrigins: [ORIGIN] });
      const variables = d.one('aws:lambda/function:Function', 'lambda-cost-fn').inputs.environment.variables;
      // app/lambda.ts: appOptionsFromEnv(readEnv(), 'json'), no listen address; MCP_SERVER, else the bundle's one server (the primary, cost).
      const env = readEnv(variables);
      running = await listen(createApp(loadServer(env.MCP_SERVER!), { ...appOptionsFromEnv(env, 'json'), logger: silentLogger }));
    });
    after(() => running.close());

    it('serves JSON (API Gateway buffers) whatever the Host', async () => {
      const res = await post(`${running.url}/mcp`, initialize, { host: API_HOST });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /application\/json/);
      assert.equal((await res.json() as any).result.serverInfo.name, 'mcp-on-aws-cost');
    });

    it('lets the allowed origin through and refuses another; CORS is API Gateway’s, with the same lists', async () => {
      const allowed = await post(`${running.url}/mcp`, initialize, { host: API_HOST, origin: ORIGIN });
      assert.equal(allowed.status, 200);
      await allowed.text();
      const other = await post(`${running.url}/mcp`, initialize, { host: API_HOST, origin: OTHER });
      assert.equal(other.status, 403);
      await other.text();
      const cors = d.one('aws:apigatewayv2/api:Api').inputs.corsConfiguration;
      assert.deepEqual(cors.allowOrigins, [ORIGIN]);
      assert.deepEqual(cors.allowHeaders, MCP_CORS.allowHeaders);
      assert.deepEqual(cors.exposeHeaders, MCP_CORS.exposeHeaders);
      assert.deepEqual(cors.allowMethods, MCP_CORS.allowMethods);
    });
  });
});

/** Each server workload's environment, by server, as each target passes it. */
const serverEnvironments: Record<string, (d: Deployed, server: string) => Record<string, string>> = {
  lambda: (d, s) => d.one('aws:lambda/function:Function', `lambda-${s}-fn`).inputs.environment.variables,
  fargate: (d, s) => envOf(JSON.parse(d.one('aws:ecs/taskDefinition:TaskDefinition', `fargate-${s}-task`).inputs.containerDefinitions)[0].environment),
  eks: (d, s) => envOf(d.one('kubernetes:apps/v1:Deployment', `eks-${s}-deployment`).inputs.spec.template.spec.containers[0].env),
};
const TOOLS_OF: Record<string, string[]> = { cost: ['estimate_hosting_cost'], text: ['analyze_text'] };

describe('each server workload serves its own server', function () {
  this.timeout(120_000);

  for (const [target, envFor] of Object.entries(serverEnvironments)) {
    it(`${target}: the environment of each server's workload, served by the app, lists that server's tools only, at /<server>/mcp and /mcp`, async () => {
      const d = await deployWith({ target, auth: 'none' });
      for (const [server, tools] of Object.entries(TOOLS_OF)) {
        const env = envFor(d, server);
        assert.equal(env.MCP_SERVER, server);
        // Its tool metrics are EMF lines on stdout, which every target's logs carry to CloudWatch.
        assert.ok(appOptionsFromEnv(readEnv(env), 'json').metrics instanceof EmfMetrics, `${target} ${server} writes EMF`);
        // The container entry (main.ts) and the Lambda entry pick the server MCP_SERVER names.
        const running =
          target === 'lambda'
            ? await listen(createApp(loadServer(readEnv(env).MCP_SERVER!), { ...appOptionsFromEnv(readEnv(env), 'json'), logger: silentLogger }))
            : await (async () => {
                const srv = await startServer({ draining: false }, silentLogger, readEnv(env), { host: '127.0.0.1', port: 0 });
                return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }) };
              })();
        try {
          for (const path of [`/${server}/mcp`, '/mcp']) {
            const res = await post(`${running.url}${path}`, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { host: '127.0.0.1' });
            assert.equal(res.status, 200, `${target} ${server} ${path}`);
            assert.deepEqual((await rpcBody(res)).result.tools.map((t: { name: string }) => t.name), tools, `${target} ${server} ${path}`);
          }
        } finally {
          await running.close();
        }
      }
    });
  }
});

describe('the targets the program knows', () => {
  it('are the ones Pulumi.yaml describes for the target setting', () => {
    const yaml = parse(readFileSync(path.join(__dirname, '..', 'Pulumi.yaml'), 'utf8'));
    const description: string = yaml.config.target.description;
    for (const target of TARGETS) assert.match(description, new RegExp(`\\b${target}\\b`), `${target} in: ${description}`);
  });
});

describe('Cloud Map: what the program registers is what the agent resolves', function () {
  this.timeout(120_000);
  beforeEach(() => cloudMap.reset());
  after(() => cloudMap.reset());

  const SERVICE = 'aws:servicediscovery/service:Service';
  const INSTANCE = 'aws:servicediscovery/instance:Instance';

  /**
   * Cloud Map as the program leaves it: ListServices answers the services created in the namespace (only
   * when asked by the namespace's id), and DiscoverInstances each service's registered instances, plus
   * `tasks` (what ECS registers) by service name. Returns the endpoints the agent must resolve for `services`.
   */
  function cloudMapOf(d: Deployed, tasks: Record<string, HttpInstanceSummary[]> = {}) {
    const namespace = d.one('aws:servicediscovery/httpNamespace:HttpNamespace');
    const NamespaceName: string = namespace.inputs.name;
    const namespaceId: string = namespace.state.id ?? `${namespace.name}-id`;
    const services = d.all(SERVICE).filter((s) => s.inputs.namespaceId === namespaceId);
    assert.ok(services.length > 0, 'the program creates services in its namespace');
    cloudMap
      .on(ListServicesCommand, { Filters: [{ Name: 'NAMESPACE_ID', Values: [namespaceId], Condition: 'EQ' }] })
      .resolves({ Services: services.map((s) => ({ Id: `${s.name}-id`, Name: s.inputs.name })) });
    const instancesOf = new Map<string, HttpInstanceSummary[]>();
    for (const s of services) {
      const ServiceName: string = s.inputs.name;
      const registeredHere = d
        .all(INSTANCE)
        .filter((i) => i.inputs.serviceId === `${s.name}-id`)
        .map((i): HttpInstanceSummary => ({ InstanceId: i.inputs.instanceId, NamespaceName, ServiceName, HealthStatus: 'HEALTHY', Attributes: i.inputs.attributes }));
      const instances = [...registeredHere, ...(tasks[ServiceName] ?? [])];
      instancesOf.set(ServiceName, instances);
      cloudMap.on(DiscoverInstancesCommand, { NamespaceName, ServiceName, HealthStatus: 'HEALTHY' }).resolves({ Instances: instances });
    }
    return { namespaceId, instancesOf };
  }

  /** The agent's resolver as app/agent/main.ts builds it from the environment the program gives it. */
  async function agentResolves(variables: Record<string, string>) {
    const env = readAgentEnv(variables);
    return { env, endpoints: await resolverFromEnv(env, silentLogger, new ServiceDiscoveryClient({ region: 'us-east-1' })).resolve() };
  }

  /** The services the agent is told to look at: the one it is pinned to, else every service of the namespace. */
  function lookedAt(env: AgentEnv, namespaceId: string, instancesOf: Map<string, HttpInstanceSummary[]>): string[] {
    if (env.CLOUD_MAP_SERVICE) {
      assert.ok(instancesOf.has(env.CLOUD_MAP_SERVICE), `CLOUD_MAP_SERVICE=${env.CLOUD_MAP_SERVICE} is a service of the stack`);
      return [env.CLOUD_MAP_SERVICE];
    }
    assert.equal(env.CLOUD_MAP_NAMESPACE_ID, namespaceId, 'the agent is given the namespace’s id');
    return [...instancesOf.keys()];
  }

  it('lambda: the registered attributes are the contract’s, and the agent resolves each server’s endpoint, named, at its URL', async () => {
    // Not the agent's default service name, and no server name either: the server's name must come from the attributes.
    const d = await deployWith({ target: 'lambda', discoveryService: 'tools' });
    const instances = d.all(INSTANCE);
    assert.ok(instances.length > 0);
    for (const i of instances) assert.deepEqual(Object.keys(i.inputs.attributes).sort(), Object.values(ATTRIBUTES).sort());
    const { namespaceId, instancesOf } = cloudMapOf(d);
    const { env, endpoints } = await agentResolves(d.agent('aws:lambda/function:Function')[0]!.inputs.environment.variables);
    const services = lookedAt(env, namespaceId, instancesOf);
    const serversOutput = (await valueOf(d.outputs.servers)) as Record<string, { mcpUrl: string }> | undefined;
    const mcpUrl = await valueOf(d.outputs.mcpUrl);
    const expected = services
      .flatMap((service) => instancesOf.get(service)!.map((i) => ({ i, service })))
      .map(({ i, service }) => ({
        id: i.InstanceId,
        // The server's URL: its own in the servers output, or the stack's mcpUrl where the output has none.
        url: serversOutput?.[i.Attributes!.mcp_server!]?.mcpUrl ?? mcpUrl,
        server: i.Attributes!.mcp_server,
        direct: false,
        service,
        target: 'lambda',
        // How the server authorizes, as registered: the agent asks for tokens accordingly.
        auth: 'cognito',
        authScope: `mcp-on-aws-dev/${i.Attributes!.mcp_server}`,
        resource: serversOutput?.[i.Attributes!.mcp_server!]?.mcpUrl ?? mcpUrl,
      }))
      .sort((a, b) => a.server!.localeCompare(b.server!));
    assert.equal(env.CLOUD_MAP_SERVICE, undefined, 'the agent looks at every service of the namespace');
    assert.deepEqual(expected.map((e) => e.server), ['cost', 'text']);
    assert.deepEqual(endpoints, expected);
  });

  it('fargate: a task as ECS registers it resolves to the port its container listens on, under its server’s name', async () => {
    const d = await deployWith({ target: 'fargate' });
    const [container] = JSON.parse(d.one('aws:ecs/taskDefinition:TaskDefinition', 'fargate-cost-task').inputs.containerDefinitions);
    const registries = d.one('aws:ecs/service:Service', 'fargate-cost-service').inputs.serviceRegistries;
    assert.equal(registries.containerPort, undefined, 'ECS then sets no AWS_INSTANCE_PORT');
    const ecsService = d.all(SERVICE).find((s) => s.state.arn === registries.registryArn)!;
    const ServiceName: string = ecsService.inputs.name;
    // The attribute AWS documents for a task registered in Cloud Map (awsvpc network mode).
    const task: HttpInstanceSummary = { InstanceId: 'task-1', ServiceName, HealthStatus: 'HEALTHY', Attributes: { AWS_INSTANCE_IPV4: '10.0.3.17' } };
    const { instancesOf } = cloudMapOf(d, { [ServiceName]: [task] });
    const [agentContainer] = JSON.parse(d.agent('aws:ecs/taskDefinition:TaskDefinition')[0]!.inputs.containerDefinitions);
    const { endpoints } = await agentResolves(envOf(agentContainer.environment));
    // A task carries no server name: it takes the one its service's registered endpoint gives, else the service's.
    const server = instancesOf.get(ServiceName)!.find((i) => i.Attributes?.mcp_server)?.Attributes!.mcp_server ?? ServiceName;
    assert.deepEqual(
      endpoints.filter((e) => e.direct),
      [
        {
          id: 'task-1',
          url: `http://10.0.3.17:${container.portMappings[0].containerPort}/mcp`,
          server,
          direct: true,
          service: ServiceName,
          target: 'fargate',
          // Reached at its own address, it is still the server its registration names: tokens are for that URL.
          auth: 'cognito',
          authScope: `mcp-on-aws-dev/${server}`,
          resource: (await valueOf(d.outputs.servers))[server]!.mcpUrl,
        },
      ],
    );
  });
});

describe('the Lambda handlers the program sets', function () {
  this.timeout(120_000);

  it('are exports of the bundle entries, in the index.js that components/iam.ts ships', async () => {
    const d = await deployWith({ target: 'lambda', lambdaFunctionUrl: true });
    // The modules build their handlers (and loggers) at load, from the environment: give them one.
    // From source the catalog has every server, so MCP_SERVER picks one (a per-server bundle needs none).
    const { LOG_LEVEL } = process.env;
    Object.assign(process.env, { LOG_LEVEL: 'silent', MCP_SERVERS: 'http://127.0.0.1:9/mcp', MCP_SERVER: 'cost' });
    let server: Record<string, unknown>, agent: Record<string, unknown>, synthetic: Record<string, unknown>;
    try {
      server = require('../app/lambda') as Record<string, unknown>;
      agent = require('../app/agent/lambda') as Record<string, unknown>;
      synthetic = require('../app/synthetic/lambda') as Record<string, unknown>;
    } finally {
      delete process.env.MCP_SERVERS;
      delete process.env.MCP_SERVER;
      if (LOG_LEVEL === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = LOG_LEVEL;
    }
    const functions = d.resources.filter((r) => r.type === 'aws:lambda/function:Function');
    assert.deepEqual(functions.map((f) => f.name).sort(), ['agent-fn', 'lambda-cost-fn', 'lambda-cost-stream-fn', 'lambda-text-fn', 'lambda-text-stream-fn', 'observability-synthetic-fn']);
    for (const fn of functions) {
      const [file, name] = String(fn.inputs.handler).split('.');
      assert.equal(file, 'index', `${fn.name}: ${fn.inputs.handler}`);
      // streamHandler is defined only inside the Lambda runtime, but exported everywhere.
      const module_ = fn.name.startsWith('agent-') ? agent : fn.name.startsWith('observability-synthetic') ? synthetic : server;
      assert.ok(name! in module_, `${fn.name}: ${fn.inputs.handler} is not exported`);
    }
  });
});

describe('the image’s HEALTHCHECK (Dockerfile)', function () {
  this.timeout(30_000);
  const [, probe] = (() => {
    const line = /^\s*CMD (\[.*\])$/m.exec(readFileSync(path.join(__dirname, '..', 'Dockerfile'), 'utf8').split('HEALTHCHECK')[1]!)![1]!;
    const cmd = JSON.parse(line) as string[];
    assert.deepEqual(cmd.slice(0, 2), ['node', '-e']);
    return cmd.slice(1);
  })();

  /** Runs the probe with `env` and answers its exit code. */
  const runProbe = (env: Record<string, string>) =>
    new Promise<number | null>((resolve) => execFile(process.execPath, ['-e', probe!], { env: { ...process.env, ...env } }, (err) => resolve(err ? (err.code as number) : 0)));

  /** A port nothing listens on. */
  async function closedPort(): Promise<number> {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as AddressInfo;
    await new Promise((r) => s.close(r));
    return port;
  }

  it('is healthy when the server (PORT) or the agent (AGENT_PORT) answers /healthz, and not when neither does', async () => {
    const healthy = http.createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end());
    await new Promise<void>((r) => healthy.listen(0, '127.0.0.1', r));
    try {
      const up = String((healthy.address() as AddressInfo).port);
      const down = String(await closedPort());
      assert.equal(await runProbe({ PORT: up, AGENT_PORT: down }), 0, 'the server answers');
      assert.equal(await runProbe({ PORT: down, AGENT_PORT: up }), 0, 'the agent answers');
      assert.equal(await runProbe({ PORT: down, AGENT_PORT: down }), 1, 'nothing answers');
    } finally {
      await new Promise((r) => healthy.close(r));
    }
  });
});

/** Each server workload's and the agent's environment, as each target passes them. */
const agentEnvironments: Record<string, (d: Deployed) => Record<string, string>> = {
  lambda: (d) => d.agent('aws:lambda/function:Function')[0]!.inputs.environment.variables,
  fargate: (d) => envOf(JSON.parse(d.agent('aws:ecs/taskDefinition:TaskDefinition')[0]!.inputs.containerDefinitions)[0].environment),
  eks: (d) => envOf(d.agent('kubernetes:apps/v1:Deployment')[0]!.inputs.spec.template.spec.containers[0].env),
};

describe('authorization: what the program sets up and what the apps check agree (auth cognito, the default)', function () {
  this.timeout(120_000);

  for (const [target, envFor] of Object.entries(serverEnvironments)) {
    it(`${target}: each server checks the stack's pool, clients and its own scope; its metadata names the front door; the agent gets the machine client`, async () => {
      const d = await deployWith({ target });
      const pool = d.one('aws:cognito/userPool:UserPool');
      const clients = d.all('aws:cognito/userPoolClient:UserPoolClient');
      const machine = clients.find((c) => c.inputs.generateSecret)!;
      const publicClient = clients.find((c) => !c.inputs.generateSecret)!;
      const resourceServer = d.one('aws:cognito/resourceServer:ResourceServer');
      const domain = d.one('aws:cognito/userPoolDomain:UserPoolDomain');
      const frontDoor = String(await valueOf(d.outputs.mcpUrl)).replace(/\/mcp$/, '');
      const scopeIds = (names: string[]) => names.map((n) => `${resourceServer.inputs.identifier}/${n}`);
      for (const c of clients) assert.equal(c.inputs.userPoolId, pool.state.id ?? `${pool.name}-id`, c.name);
      assert.equal(resourceServer.inputs.userPoolId, `${pool.name}-id`);
      for (const server of Object.keys(TOOLS_OF)) {
        const auth = appOptionsFromEnv(readEnv(envFor(d, server)), 'json').auth!;
        assert.ok(auth, `${target} ${server} checks tokens`);
        assert.equal(auth.settings.mode, 'cognito');
        // The issuer Cognito puts in its tokens: https:// + the pool's endpoint.
        assert.equal(auth.settings.issuer, `https://${pool.state.endpoint}`);
        assert.deepEqual([...auth.settings.clientIds].sort(), [`${machine.name}-id`, `${publicClient.name}-id`].sort());
        const scope = auth.requiredScope(server)!;
        // A scope the server requires is one the resource server declares and both clients may get.
        assert.ok(scopeIds(resourceServer.inputs.scopes.map((s: { scopeName: string }) => s.scopeName)).includes(scope), scope);
        assert.ok(machine.inputs.allowedOauthScopes.includes(scope), `the machine client may get ${scope}`);
        assert.ok(publicClient.inputs.allowedOauthScopes.includes(scope), `the public client may get ${scope}`);
        assert.equal(auth.settings.metadataIssuer, frontDoor);
        assert.equal(auth.settings.loginUrl, `https://${domain.inputs.domain}.auth.us-east-1.amazoncognito.com`);
        // Served as the target serves it: an unauthenticated call is refused with the way to a token.
        const running = await listen(createApp(loadServer(server), { ...appOptionsFromEnv(readEnv(envFor(d, server)), 'json'), logger: silentLogger }));
        try {
          const res = await post(`${running.url}/${server}/mcp`, initialize, { host: '127.0.0.1' });
          assert.equal(res.status, 401);
          assert.match(res.headers.get('www-authenticate')!, new RegExp(`scope="${scope}"`));
          await res.text();
          const metadata = (await (await request(`${running.url}/.well-known/oauth-authorization-server`)).json()) as any;
          assert.equal(metadata.issuer, frontDoor);
          assert.equal(metadata.token_endpoint, `${auth.settings.loginUrl}/oauth2/token`);
        } finally {
          await running.close();
        }
      }
      const agent = envFor === serverEnvironments.lambda ? agentEnvironments.lambda!(d) : agentEnvironments[target]!(d);
      const secret = d.one('aws:secretsmanager/secret:Secret', 'auth-agent');
      assert.equal(agent.MCP_AUTH_CLIENT_SECRET_ARN, secret.state.arn);
      assert.equal(agent.MCP_AUTH_TOKEN_URL, `https://${domain.inputs.domain}.auth.us-east-1.amazoncognito.com/oauth2/token`);
      // The secret holds the machine client's credentials; its value is in no environment and no output.
      const version = d.one('aws:secretsmanager/secretVersion:SecretVersion', 'auth-agent');
      // A secret input reaches the mocks wrapped: { <signature>, value }.
      const raw = version.inputs.secretString;
      assert.equal(typeof raw, 'object', 'the secret string is a Pulumi secret');
      const stored = JSON.parse(raw.value);
      assert.deepEqual(stored, { client_id: `${machine.name}-id`, client_secret: machine.state.clientSecret });
      for (const r of d.resources) {
        if (r.type === 'aws:secretsmanager/secretVersion:SecretVersion' || r.type === 'aws:cognito/userPoolClient:UserPoolClient') continue;
        assert.ok(!JSON.stringify(r.inputs).includes(machine.state.clientSecret), `${r.type} ${r.name} carries the client secret`);
      }
      assert.ok(!JSON.stringify(await valueOf(d.outputs.auth as never)).includes(machine.state.clientSecret));
    });
  }
});
