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

/**
 * An internet-facing ALB in the public subnets, forwarding to IP targets (tasks) that pass GET /healthz.
 * Its security group admits 443 and 80 from the internet and nothing else.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string>;
  readonly dnsName: pulumi.Output<string>;
  readonly zoneId: pulumi.Output<string>;
  /** For request-count autoscaling: "<alb arn suffix>/<target group arn suffix>". */
  readonly resourceLabel: pulumi.Output<string>;
  readonly baseUrl: pulumi.Output<string>;
  readonly listeners: aws.lb.Listener[];

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
    const targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      {
        vpcId: args.network.vpcId,
        targetType: 'ip',
        port: args.targetPort,
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
      { parent },
    );
    const forward = [{ type: 'forward', targetGroupArn: targetGroup.arn }];
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
    this.securityGroupId = sg.id;
    this.targetGroupArn = targetGroup.arn;
    this.dnsName = alb.dnsName;
    this.zoneId = alb.zoneId;
    this.resourceLabel = pulumi.interpolate`${alb.arnSuffix}/${targetGroup.arnSuffix}`;
    this.registerOutputs({ dnsName: this.dnsName, baseUrl: this.baseUrl });
  }
}
