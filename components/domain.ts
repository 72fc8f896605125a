import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface CustomDomainArgs {
  /** The stable name clients use, e.g. mcp.example.com. */
  domainName: string;
  /** The Route53 public hosted zone that holds `domainName`. */
  hostedZoneId: string;
}

export interface AliasTarget {
  dnsName: pulumi.Input<string>;
  zoneId: pulumi.Input<string>;
}

/**
 * A custom domain: an ACM certificate validated through Route53, and the records that point the name at
 * whichever target serves it. Every target uses this piece, so the URL survives a change of target.
 */
export class CustomDomain extends pulumi.ComponentResource {
  readonly domainName: string;
  readonly hostedZoneId: string;
  /** The ARN of the certificate once validated: listeners and API domains take this one, so they wait for validation. */
  readonly certificateArn: pulumi.Output<string>;
  readonly url: string;
  private readonly name: string;

  constructor(name: string, args: CustomDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:CustomDomain', name, {}, opts);
    this.name = name;
    this.domainName = args.domainName;
    this.hostedZoneId = args.hostedZoneId;
    this.url = `https://${args.domainName}`;

    const certificate = new aws.acm.Certificate(
      `${name}-cert`,
      { domainName: args.domainName, validationMethod: 'DNS' },
      { parent: this },
    );
    const option = certificate.domainValidationOptions.apply((o) => {
      const first = o[0];
      if (!first) throw new Error(`ACM returned no DNS validation option for ${args.domainName}`);
      return first;
    });
    const validationRecord = new aws.route53.Record(
      `${name}-cert-validation`,
      {
        zoneId: args.hostedZoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 60,
        allowOverwrite: true,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-cert-validation`,
      { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
      { parent: this },
    );
    this.certificateArn = validation.certificateArn;
    this.registerOutputs({ certificateArn: this.certificateArn, url: this.url });
  }

  /**
   * Alias records (A, and AAAA when the target is dual-stack) from the domain to a load balancer or API
   * domain. They belong to the domain, under the same names whatever the target, so that moving a stack
   * to another target updates them in place: the name never stops resolving.
   */
  alias(target: AliasTarget, opts: { ipv6?: boolean } = {}): aws.route53.Record[] {
    const types = opts.ipv6 ? (['A', 'AAAA'] as const) : (['A'] as const);
    return types.map(
      (type) =>
        new aws.route53.Record(
          `${this.name}-alias-${type.toLowerCase()}`,
          {
            zoneId: this.hostedZoneId,
            name: this.domainName,
            type,
            aliases: [{ name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: true }],
            allowOverwrite: true,
          },
          { parent: this },
        ),
    );
  }
}
