// Loaded once by mocha (--require): Pulumi mocks for the whole process, and the recorder tests read.
import * as pulumi from '@pulumi/pulumi';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
  state: Record<string, any>;
  /** The resource options the program gave (ignoreChanges, dependsOn, …). */
  opts: pulumi.CustomResourceOptions;
}

// Resource options never reach the mocks; they are read where the SDK registers each resource.
const runtimeResource = require('@pulumi/pulumi/runtime/resource') as { registerResource: (...args: any[]) => unknown };
const registerResource = runtimeResource.registerResource;
const optionsOf = new Map<string, pulumi.CustomResourceOptions>();
// Its parameters, as @pulumi/pulumi 3.248 declares them: (res, parent, t, name, custom, remote, newDependency, props, opts, …).
// Checked on every call, so that an SDK that moves them fails here, not silently in the tests that read options.
runtimeResource.registerResource = (...args: any[]) => {
  const [, , type, name, custom, , newDependency, , opts] = args;
  if (typeof type !== 'string' || typeof name !== 'string' || typeof custom !== 'boolean' || typeof newDependency !== 'function' || (opts !== undefined && typeof opts !== 'object')) {
    throw new Error('tests/setup.ts: @pulumi/pulumi registerResource no longer takes (res, parent, t, name, custom, remote, newDependency, props, opts): update the options recorder');
  }
  optionsOf.set(`${type}::${name}`, opts ?? {});
  const urn = urnFor(args[1], type, name);
  urnOfResource.set(args[0], urn);
  urns.push(urn);
  for (const alias of (opts as pulumi.ResourceOptions | undefined)?.aliases ?? []) aliases.push(aliasUrn(urn, type, name, args[1], alias));
  return registerResource(...args);
};

/** URN of every resource registered since the last reset, in order (`deployWith` resets it with `registered`). */
export const urns: string[] = [];
/** Every alias a resource registered since the last reset claims, as a URN, with the URN of the resource that claims it. */
export const aliases: { urn: string; alias: Promise<string> }[] = [];

/** The URN an alias stands for, as the engine reads it: a URN, or a spec whose missing parts are the resource's own. */
function aliasUrn(urn: string, type: string, name: string, parent: object | undefined, alias: pulumi.Input<string | pulumi.Alias>): { urn: string; alias: Promise<string> } {
  const resolved = new Promise<string>((resolve) =>
    pulumi.output(alias as pulumi.Input<string | pulumi.Alias>).apply((a) => {
      if (typeof a === 'string') return resolve(a);
      const spec = a as pulumi.Alias;
      const ownParentUrn = parent && (parent as { __pulumiType?: string }).__pulumiType !== 'pulumi:pulumi:Stack' ? urnOfResource.get(parent) : undefined;
      const parentOf = (p: unknown): Promise<string | undefined> =>
        p === undefined ? Promise.resolve(ownParentUrn) : pulumi.Resource.isInstance(p) ? Promise.resolve(urnOfResource.get(p)) : new Promise((r) => pulumi.output(p as pulumi.Input<string>).apply(r));
      void parentOf(spec.parent).then((parentUrn) => {
        const chain = parentUrn === undefined ? String(spec.type ?? type) : `${parentUrn.split('::')[2]}$${String(spec.type ?? type)}`;
        resolve(`urn:pulumi:${spec.stack ?? pulumi.getStack()}::${spec.project ?? pulumi.getProject()}::${chain}::${String(spec.name ?? name)}`);
      });
    }),
  );
  return { urn, alias: resolved };
}
const urnOfResource = new WeakMap<object, string>();

/**
 * The URN the engine gives a resource: `urn:pulumi:<stack>::<project>::<type chain>::<name>`, where the type chain is
 * the parent's chain (all its ancestors' types, joined by `$`), then `$<type>`; a resource parented to the stack, or
 * to nothing, has its own type alone. This is what @pulumi/pulumi's `createUrn` builds from a parent's URN. It is
 * computed here because the mock monitor's URNs keep only the parent's own type, not the whole chain.
 */
function urnFor(parent: object | undefined, type: string, name: string): string {
  let chain = type;
  if (parent !== undefined && (parent as { __pulumiType?: string }).__pulumiType !== 'pulumi:pulumi:Stack') {
    const parentUrn = urnOfResource.get(parent);
    if (parentUrn === undefined) throw new Error(`tests/setup.ts: the parent of ${type}::${name} was not registered through registerResource`);
    chain = `${parentUrn.split('::')[2]}$${type}`;
  }
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${chain}::${name}`;
}

/** Every resource registered since the last reset, in order. */
export const registered: Registered[] = [];

/** Data-source calls (token and inputs) since the last reset, in order. */
export const calls: { token: string; inputs: Record<string, any> }[] = [];

/** What getAvailabilityZones answers: names and zone ids in the same order, as AWS lists them. Tests may replace it (and restore it). */
export const DEFAULT_ZONES = { names: ['us-east-1a', 'us-east-1b', 'us-east-1c'], zoneIds: ['use1-az1', 'use1-az2', 'use1-az4'] };
export const zones = { answer: DEFAULT_ZONES };

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** Outputs AWS computes, for the resource types the program reads them from. */
function computed(type: string, name: string, inputs: Record<string, any>, id: string): Record<string, any> {
  switch (type) {
    case 'aws:lambda/function:Function': {
      // Autonamed, as Pulumi names it: what uses the resource's name instead of the function's shows.
      const functionName = inputs.name ?? `${name}-2b7c9e1`;
      return {
        name: functionName,
        arn: arn('lambda', `function:${functionName}`),
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn('lambda', `function:${functionName}`)}/invocations`,
        version: inputs.publish ? '3' : '$LATEST',
      };
    }
    case 'aws:lambda/alias:Alias':
      return {
        arn: arn('lambda', `function:${inputs.functionName}:${inputs.name}`),
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn('lambda', `function:${inputs.functionName}:${inputs.name}`)}/invocations`,
      };
    case 'aws:lambda/functionUrl:FunctionUrl':
      return { functionUrl: 'https://x7k2mq4vbn3lpq5rs6tuv7wxyz0abcde.lambda-url.us-east-1.on.aws/' };
    case 'aws:apigatewayv2/api:Api':
      return { apiEndpoint: `https://${id}.execute-api.${REGION}.amazonaws.com`, executionArn: arn('execute-api', id) };
    case 'aws:apigatewayv2/domainName:DomainName':
      return {
        domainNameConfiguration: {
          ...inputs.domainNameConfiguration,
          targetDomainName: `d-abc123.execute-api.${REGION}.amazonaws.com`,
          hostedZoneId: 'Z1UJRXOUMOOFQ8',
        },
      };
    case 'aws:acm/certificate:Certificate':
      return {
        // Not the ARN the validation answers: what uses the bare certificate instead of the validated one shows.
        arn: arn('acm', `certificate/${name}-requested`),
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_a79865eb4cd1a6ab990a45779b4e0b96.${inputs.domainName}.`,
            resourceRecordType: 'CNAME',
            resourceRecordValue: '_424c7224e9b0146f9a8808af955727d0.acm-validations.aws.',
          },
        ],
      };
    case 'aws:acm/certificateValidation:CertificateValidation':
      return { certificateArn: String(inputs.certificateArn).replace(/-requested$/, '') };
    case 'aws:lb/loadBalancer:LoadBalancer':
      return {
        arn: arn('elasticloadbalancing', `loadbalancer/app/${name}/50dc6c495c0c9188`),
        arnSuffix: `app/${name}/50dc6c495c0c9188`,
        dnsName: `${name}-1234567890.${REGION}.elb.amazonaws.com`,
        zoneId: 'Z35SXDOTRQ7X7K',
      };
    case 'aws:lb/targetGroup:TargetGroup':
      return { arn: arn('elasticloadbalancing', `targetgroup/${name}/73e2d6bc24d8a067`), arnSuffix: `targetgroup/${name}/73e2d6bc24d8a067` };
    case 'aws:ecr/repository:Repository':
      return { arn: arn('ecr', `repository/${name}`), name, registryId: ACCOUNT, repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}` };
    case 'docker-build:index:Image':
      return { ref: `${String(inputs.tags[0]).split(':')[0]}@sha256:9b2a1c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9` };
    case 'aws:eks/cluster:Cluster':
      return {
        name: inputs.name,
        arn: arn('eks', `cluster/${inputs.name}`),
        endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com',
        certificateAuthority: { data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' },
      };
    case 'aws:eks/podIdentityAssociation:PodIdentityAssociation':
      return { associationId: `a-${name}0123456789`, associationArn: arn('eks', `podidentityassociation/${inputs.clusterName}/a-${name}0123456789`) };
    case 'kubernetes:networking.k8s.io/v1:Ingress':
      return { status: { loadBalancer: { ingress: [{ hostname: 'k8s-mcp-mcpserve-1a2b3c4d5e-1234567890.us-east-1.elb.amazonaws.com' }] } } };
    case 'aws:iam/role:Role': {
      const roleName = inputs.name ?? `${name}-9c4b7a2`;
      return { name: roleName, arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}` };
    }
    case 'aws:cloudwatch/logGroup:LogGroup': {
      // An autonamed group gets a suffix, as Pulumi's autonaming does: its name is not the resource's name.
      const groupName = inputs.name ?? `${name}-5d8e1f0`;
      return { name: groupName, arn: arn('logs', `log-group:${groupName}`) };
    }
    case 'aws:secretsmanager/secret:Secret':
      return { arn: arn('secretsmanager', `secret:${name}-AbCdEf`) };
    case 'aws:cognito/userPool:UserPool':
      return { arn: arn('cognito-idp', `userpool/${id}`), endpoint: `cognito-idp.${REGION}.amazonaws.com/${id}` };
    case 'aws:cognito/userPoolClient:UserPoolClient':
      // A recognisable value, looked for where a secret must never be: environment variables, outputs.
      return inputs.generateSecret ? { clientSecret: `${name}-SECRET-${'Zq7'.repeat(10)}` } : {};
    case 'aws:route53/record:Record':
      return { fqdn: String(inputs.name).replace(/\.$/, '') };
    default:
      return { arn: arn(type.split(':')[1]!.split('/')[0]!, `${name}`), name: inputs.name ?? name };
  }
}

pulumi.runtime.setMocks(
  {
    newResource(args) {
      const id = `${args.name}-id`;
      const state = { ...args.inputs, ...computed(args.type, args.name, args.inputs, id) };
      registered.push({ type: args.type, name: args.name, inputs: args.inputs, state, opts: optionsOf.get(`${args.type}::${args.name}`) ?? {} });
      return { id, state };
    },
    call(args) {
      calls.push({ token: args.token, inputs: args.inputs });
      switch (args.token) {
        case 'aws:index/getRegion:getRegion':
          return { name: REGION, region: REGION, id: REGION };
        case 'aws:index/getCallerIdentity:getCallerIdentity':
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:role/deployer`, userId: 'AROAEXAMPLE' };
        case 'aws:index/getAvailabilityZones:getAvailabilityZones':
          return { ...zones.answer, id: REGION };
        case 'aws:ecr/getAuthorizationToken:getAuthorizationToken':
          return { userName: 'AWS', password: 'token', proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`, authorizationToken: 'x' };
        case 'aws:lb/getHostedZoneId:getHostedZoneId':
          return { id: 'Z35SXDOTRQ7X7K' };
        case 'aws:lb/getLoadBalancer:getLoadBalancer':
          // What AWS answers for a load balancer looked up by name (the controller's, on EKS).
          return {
            name: args.inputs.name,
            arn: arn('elasticloadbalancing', `loadbalancer/app/${args.inputs.name}/6f1a2b3c4d5e6f70`),
            arnSuffix: `app/${args.inputs.name}/6f1a2b3c4d5e6f70`,
            id: `app/${args.inputs.name}/6f1a2b3c4d5e6f70`,
          };
        case 'aws:index/getPartition:getPartition':
          return { partition: 'aws', dnsSuffix: 'amazonaws.com' };
        default:
          return args.inputs;
      }
    },
  },
  'mcp-on-aws',
  'dev',
  false,
);
