import * as pulumi from '@pulumi/pulumi';
import type { Target } from '../app/contract';

/** A component of the one-server program, whose children a platform or workload now creates. */
export interface LegacyParent {
  type: string;
  name: string;
}

/** The components of a one-server stack: each target's, and its agent's. */
export const LEGACY_PARENTS: Record<Target, { target: LegacyParent; agent: LegacyParent }> = {
  lambda: { target: { type: 'mcp-on-aws:index:LambdaTarget', name: 'lambda' }, agent: { type: 'mcp-on-aws:index:LambdaAgent', name: 'agent' } },
  fargate: { target: { type: 'mcp-on-aws:index:FargateTarget', name: 'fargate' }, agent: { type: 'mcp-on-aws:index:FargateAgent', name: 'agent' } },
  eks: { target: { type: 'mcp-on-aws:index:EksTarget', name: 'eks' }, agent: { type: 'mcp-on-aws:index:EksAgent', name: 'agent' } },
};

/** The URN of a top-level resource of this stack. */
export const topLevelUrn = (type: string, name: string) => `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${type}::${name}`;

/** The URN of a child `name` of type `type` under the resource whose URN is `parentUrn`. */
export function childUrn(parentUrn: string, type: string, name: string): string {
  const m = /^(urn:pulumi:[^:]*::[^:]*::)(.*)::([^:]*)$/.exec(parentUrn);
  if (!m) throw new Error(`not a URN: ${parentUrn}`);
  return `${m[1]}${m[2]}$${type}::${name}`;
}

/**
 * A transformation that lets a component's children take over the resources a one-server stack had
 * under `parent`: each child that `rename` maps to an old name gets the old URN as an alias, so that
 * `pulumi up` updates it in place instead of replacing it. Nested components are followed: their
 * children's old URNs hang under the nested component's old URN.
 */
export function adoptLegacy(parent: LegacyParent, rename: (name: string, type: string) => string | undefined): pulumi.ResourceTransformation {
  const root = topLevelUrn(parent.type, parent.name);
  const oldUrns = new WeakMap<pulumi.Resource, string>();
  return (args) => {
    const oldName = rename(args.name, args.type);
    if (oldName === undefined) return undefined;
    const oldParent = (args.opts.parent && oldUrns.get(args.opts.parent)) || root;
    const old = childUrn(oldParent, args.type, oldName);
    oldUrns.set(args.resource, old);
    return { props: args.props, opts: pulumi.mergeOptions(args.opts, { aliases: [old] }) };
  };
}
