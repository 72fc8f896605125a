import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { HEALTH_PATH } from '../app/contract';
import { deregistrationDelaySeconds } from './container';
import type { CustomDomain } from './domain';
import type { Network } from './network';

export interface LoadBalancerArgs {
  network: Network;
  /** Port the app listens on in its tasks. */
  targetPort: number;
  /** Idle timeout of the ALB, seconds; the app's keep-alive must be longer. */
  idleTimeoutSeconds: number;
  /** With a domain: HTTPS on 443 with its certificate, and port 80 redirects. Without: HTTP on 80. */
  domain?: CustomDomain;
}

/** TLS 1.3 and 1.2 with forward secrecy only. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** The longest name AWS gives a target group, and what Pulumi appends to a resource's name to make one. */
export const MAX_TARGET_GROUP_NAME = 32;
const AUTONAME_SUFFIX = 8;

/**
 * The physical name of target group `resource`: none (Pulumi's own, `<resource>-<7 hex>`) when that fits
 * in 32 characters, else the resource name cut to fit and 7 hex characters of a hash of it and `unique`
 * (what tells stacks apart in one account), the same on every update. Pulumi refuses to autoname a
 * resource whose name and suffix exceed the limit, which a server name of 14 characters or more would.
 */
export function targetGroupName(resource: string, unique: string): string | undefined {
  if (resource.length + AUTONAME_SUFFIX <= MAX_TARGET_GROUP_NAME) return undefined;
  const hash = createHash('sha256').update(`${unique}/${resource}`).digest('hex').slice(0, AUTONAME_SUFFIX - 1);
  return `${resource.slice(0, MAX_TARGET_GROUP_NAME - AUTONAME_SUFFIX).replace(/-+$/, '')}-${hash}`;
}

export interface TargetGroupArgs {
  /** Told to targetGroupName, when the resource's name is too long for Pulumi's. */
  unique: string;
  vpcId: pulumi.Input<string>;
  /** The app's port in its tasks. */
  port: number;
  /** The ALB's idle timeout, which bounds how long a leaving target keeps its in-flight requests. */
  idleTimeoutSeconds: number;
}

/** A target group of IP targets (tasks) on `port` that pass GET /healthz: every server's, alike. */
export function targetGroup(name: string, args: TargetGroupArgs, opts: pulumi.CustomResourceOptions): aws.lb.TargetGroup {
  return new aws.lb.TargetGroup(
    name,
    {
      name: targetGroupName(name, args.unique),
      vpcId: args.vpcId,
      targetType: 'ip',
      port: args.port,
      protocol: 'HTTP',
      // In-flight calls get up to the idle timeout (at most the 3600 s ALB allows) to finish when a task
      // is replaced; a target with nothing in flight deregisters at once, so this costs nothing on quiet deploys.
      deregistrationDelay: deregistrationDelaySeconds(args.idleTimeoutSeconds),
      healthCheck: {
        path: HEALTH_PATH,
        matcher: '200',
        protocol: 'HTTP',
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
    },
    opts,
  );
}

/** For request-count autoscaling: "<alb arn suffix>/<target group arn suffix>". */
export const requestCountLabel = (albArnSuffix: pulumi.Input<string>, targetGroupArnSuffix: pulumi.Input<string>) =>
  pulumi.interpolate`${albArnSuffix}/${targetGroupArnSuffix}`;

/**
 * An internet-facing ALB in the public subnets, forwarding to IP targets (tasks) that pass GET /healthz.
 * Its security group admits 443 and 80 from the internet and nothing else.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  /** Where the listeners send what no rule matches: the primary server's tasks. */
  readonly defaultTargetGroup: aws.lb.TargetGroup;
  readonly dnsName: pulumi.Output<string>;
  readonly zoneId: pulumi.Output<string>;
  readonly arnSuffix: pulumi.Output<string>;
  readonly baseUrl: pulumi.Output<string>;
  readonly listeners: aws.lb.Listener[];
  /** The listener that forwards to the app (HTTPS with a domain, else HTTP): where listener rules go. */
  readonly listenerArn: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:LoadBalancer', name, {}, opts);
    const parent = this;
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.network.vpcId,
        description: 'MCP load balancer: HTTPS and HTTP from the internet',
        ingress: [
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS' },
          { protocol: 'tcp', fromPort: 80, toPort: 80, cidrBlocks: ['0.0.0.0/0'], description: 'HTTP (redirected to HTTPS when there is a domain)' },
        ],
        egress: [
          {
            protocol: 'tcp',
            fromPort: args.targetPort,
            toPort: args.targetPort,
            cidrBlocks: [args.network.cidrBlock],
            description: 'to the app in the VPC',
          },
        ],
      },
      { parent },
    );
    const alb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: 'application',
        internal: false,
        subnets: args.network.publicSubnetIds,
        securityGroups: [sg.id],
        idleTimeout: args.idleTimeoutSeconds,
        dropInvalidHeaderFields: true,
      },
      { parent },
    );
    // The primary server's target group: the listeners' default action, so that an existing stack's ALB is unchanged.
    const defaultTargetGroup = targetGroup(
      `${name}-tg`,
      { unique: `${pulumi.getProject()}/${pulumi.getStack()}`, vpcId: args.network.vpcId, port: args.targetPort, idleTimeoutSeconds: args.idleTimeoutSeconds },
      { parent },
    );
    const forward = [{ type: 'forward', targetGroupArn: defaultTargetGroup.arn }];
    if (args.domain) {
      this.listeners = [
        new aws.lb.Listener(
          `${name}-https`,
          {
            loadBalancerArn: alb.arn,
            port: 443,
            protocol: 'HTTPS',
            sslPolicy: TLS_POLICY,
            // The validation's ARN: the listener waits until the certificate is issued.
            certificateArn: args.domain.certificateArn,
            defaultActions: forward,
          },
          { parent },
        ),
        new aws.lb.Listener(
          `${name}-http`,
          {
            loadBalancerArn: alb.arn,
            port: 80,
            protocol: 'HTTP',
            defaultActions: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
          },
          { parent },
        ),
      ];
      args.domain.alias({ dnsName: alb.dnsName, zoneId: alb.zoneId });
      this.baseUrl = pulumi.output(args.domain.url);
    } else {
      this.listeners = [
        new aws.lb.Listener(`${name}-http`, { loadBalancerArn: alb.arn, port: 80, protocol: 'HTTP', defaultActions: forward }, { parent }),
      ];
      this.baseUrl = pulumi.interpolate`http://${alb.dnsName}`;
    }
    // Rules go on the listener that forwards: HTTPS with a domain (HTTP then only redirects), else HTTP.
    this.listenerArn = this.listeners[0]!.arn;
    this.securityGroupId = sg.id;
    this.defaultTargetGroup = defaultTargetGroup;
    this.dnsName = alb.dnsName;
    this.zoneId = alb.zoneId;
    this.arnSuffix = alb.arnSuffix;
    this.registerOutputs({ dnsName: this.dnsName, baseUrl: this.baseUrl });
  }
}
