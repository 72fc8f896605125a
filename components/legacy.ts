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

/**
 * Options with which a component takes over what a one-server stack had under `parent`: the component is
 * aliased to `parent` (it replaces that component; the old one had no state of its own), and its children
 * that `rename` maps get their old URNs (see adoptLegacy).
 */
export function legacyOptions(
  parent: LegacyParent,
  rename: (name: string, type: string) => string | undefined,
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions {
  return {
    ...opts,
    aliases: [topLevelUrn(parent.type, parent.name), ...(opts?.aliases ?? [])],
    transformations: [adoptLegacy(parent, rename), ...(opts?.transformations ?? [])],
  };
}

/** How a workload's children were named in a one-server stack, by the suffix after the workload's name. */
export interface LegacyNames {
  /** The primary server's child `<target>-<server>-<suffix>`: its old name under the target's component, or none. */
  server(suffix: string): string | undefined;
  /** The agent's child `agent-<suffix>`: its old name under the agent's component (most kept theirs), or none. */
  agent(suffix: string, child: string): string | undefined;
}

/**
 * The options of workload `name` of `target`: the primary server's and the agent's take over their
 * one-server stack's resources (the agent's component too: it was a component of its own, while the
 * primary's children hung under the target's component, which the platform takes over).
 */
export function workloadOptions(
  target: Target,
  type: string,
  name: string,
  spec: { adoptsLegacy: boolean; kind: 'server' | 'agent' },
  names: LegacyNames,
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions | undefined {
  if (!spec.adoptsLegacy) return opts;
  const rename = (child: string, childType: string) => {
    if (childType === type || !child.startsWith(`${name}-`)) return undefined;
    const suffix = child.slice(name.length + 1);
    return spec.kind === 'agent' ? names.agent(suffix, child) : names.server(suffix);
  };
  if (spec.kind === 'agent') return legacyOptions(LEGACY_PARENTS[target].agent, rename, opts);
  return { ...opts, transformations: [adoptLegacy(LEGACY_PARENTS[target].target, rename), ...(opts?.transformations ?? [])] };
}
