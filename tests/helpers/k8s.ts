// Checks of Kubernetes objects against each other: each may be schema-valid while the names and labels
// that tie them together do not match (a Service that selects no pod, an Ingress to a port that does not exist).
import { GROUP_ANNOTATION_KEYS } from '../../components/eksPlatform';
import type { Registered } from '../setup';

export const KIND = {
  namespace: 'kubernetes:core/v1:Namespace',
  deployment: 'kubernetes:apps/v1:Deployment',
  service: 'kubernetes:core/v1:Service',
  serviceAccount: 'kubernetes:core/v1:ServiceAccount',
  ingress: 'kubernetes:networking.k8s.io/v1:Ingress',
  ingressClass: 'kubernetes:networking.k8s.io/v1:IngressClass',
  ingressClassParams: 'kubernetes:eks.amazonaws.com/v1:IngressClassParams',
  hpa: 'kubernetes:autoscaling/v2:HorizontalPodAutoscaler',
  pdb: 'kubernetes:policy/v1:PodDisruptionBudget',
  nodePool: 'kubernetes:karpenter.sh/v1:NodePool',
  podIdentity: 'aws:eks/podIdentityAssociation:PodIdentityAssociation',
} as const;

type Labels = Record<string, string>;
/** What a resource's inputs look like here: Kubernetes objects, or the association's fields. */
export type Objects = Record<keyof typeof KIND, any[]>;

/** The Kubernetes objects (and Pod Identity associations) of a deployment under mocks, by kind, as given to Kubernetes. */
export function objectsOf(resources: readonly Registered[]): Objects {
  const out = {} as Objects;
  for (const [key, type] of Object.entries(KIND)) {
    out[key as keyof Objects] = resources.filter((r) => r.type === type).map((r) => structuredClone(r.inputs));
  }
  return out;
}

/** Whether a selector (matchLabels, or a Service's selector) selects `labels`: every pair is among them. */
const selects = (selector: Labels | undefined, labels: Labels | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const id = (o: any) => `${o.metadata?.namespace ?? '-'}/${o.metadata?.name}`;

/** Every mismatch between the objects, as sentences; none when they fit together. */
export function crossObjectProblems(o: Objects): string[] {
  const problems: string[] = [];
  const namespaces = new Set(o.namespace.map((n) => n.metadata.name));
  const inNamespace = (list: any[], ns: string) => list.filter((x) => x.metadata.namespace === ns);
  const podsOf = (ns: string, selector: Labels | undefined) => inNamespace(o.deployment, ns).filter((d) => selects(selector, d.spec.template.metadata?.labels));

  for (const kind of ['deployment', 'service', 'serviceAccount', 'ingress', 'hpa', 'pdb'] as const) {
    for (const x of o[kind]) {
      if (!namespaces.has(x.metadata.namespace)) problems.push(`${kind} ${id(x)}: its namespace is not one of the stack's`);
    }
  }

  for (const d of o.deployment) {
    const pod = d.spec.template;
    const spec = pod.spec;
    if (!selects(d.spec.selector?.matchLabels, pod.metadata?.labels)) problems.push(`deployment ${id(d)}: its selector does not select its own pods`);
    for (const t of spec.topologySpreadConstraints ?? []) {
      if (!selects(t.labelSelector?.matchLabels, pod.metadata?.labels)) problems.push(`deployment ${id(d)}: its spread constraint does not count its own pods`);
    }
    const portNames = new Set(spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name)));
    for (const c of spec.containers) {
      for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
        const port = probe?.httpGet?.port;
        if (typeof port === 'string' && !portNames.has(port)) problems.push(`deployment ${id(d)}: a probe of ${c.name} uses port ${port}, which no container names`);
      }
    }
    const poolName = spec.nodeSelector?.['karpenter.sh/nodepool'];
    if (poolName !== undefined) {
      const pool = o.nodePool.find((p) => p.metadata.name === poolName);
      if (!pool) problems.push(`deployment ${id(d)}: its node selector names node pool ${poolName}, which does not exist`);
      const arch = spec.nodeSelector?.['kubernetes.io/arch'];
      const archRule = pool?.spec.template.spec.requirements.find((r: any) => r.key === 'kubernetes.io/arch');
      if (pool && arch && archRule && !(archRule.operator === 'In' && archRule.values.includes(arch))) {
        problems.push(`deployment ${id(d)}: node pool ${poolName} makes no ${arch} nodes`);
      }
    }
    const sa = spec.serviceAccountName;
    if (sa !== undefined && sa !== 'default' && !inNamespace(o.serviceAccount, d.metadata.namespace).some((s) => s.metadata.name === sa)) {
      problems.push(`deployment ${id(d)}: its service account ${sa} does not exist in its namespace`);
    }
  }

  for (const s of o.service) {
    const selected = podsOf(s.metadata.namespace, s.spec.selector);
    if (selected.length !== 1) {
      problems.push(`service ${id(s)}: selects the pods of ${selected.length} deployments, not one`);
      continue;
    }
    const containers = selected[0].spec.template.spec.containers;
    for (const port of s.spec.ports) {
      const target = port.targetPort ?? port.port;
      const found = containers.some((c: any) => (c.ports ?? []).some((p: any) => (typeof target === 'string' ? p.name === target : p.containerPort === target)));
      if (!found) problems.push(`service ${id(s)}: its port ${port.name} targets ${target}, which no container of its pods has`);
    }
  }

  // An Ingress backend is a Service's port, or an action of the Ingress's own (the ALB's `use-annotation`).
  const checkBackend = (i: any, backend: any, where: string) => {
    if (backend.port.name === 'use-annotation') {
      const action = i.metadata.annotations?.[`alb.ingress.kubernetes.io/actions.${backend.name}`];
      let parsed: any;
      try {
        parsed = action === undefined ? undefined : JSON.parse(action);
      } catch {
        parsed = undefined;
      }
      if (!parsed?.type) problems.push(`ingress ${id(i)}: its ${where} names action ${backend.name}, which its annotations do not define`);
      return;
    }
    const svc = inNamespace(o.service, i.metadata.namespace).find((s) => s.metadata.name === backend.name);
    if (!svc) {
      problems.push(`ingress ${id(i)}: its backend service ${backend.name} does not exist in its namespace`);
      return;
    }
    const ok = svc.spec.ports.some((p: any) => (backend.port.name !== undefined ? p.name === backend.port.name : p.port === backend.port.number));
    if (!ok) problems.push(`ingress ${id(i)}: service ${backend.name} has no port ${backend.port.name ?? backend.port.number}`);
  };
  for (const i of o.ingress) {
    if (!o.ingressClass.some((c) => c.metadata.name === i.spec.ingressClassName)) {
      problems.push(`ingress ${id(i)}: its class ${i.spec.ingressClassName} does not exist`);
    }
    if (i.spec.defaultBackend) checkBackend(i, i.spec.defaultBackend.service, 'default backend');
    for (const rule of i.spec.rules ?? []) {
      for (const path of rule.http?.paths ?? []) checkBackend(i, path.backend.service, `path ${path.path}`);
    }
  }

  // Ingresses whose class's parameters name the same group share one ALB (EKS Auto Mode groups through the class only).
  const groupOf = (i: any): string => {
    const p = o.ingressClass.find((c) => c.metadata.name === i.spec.ingressClassName)?.spec.parameters;
    const params = p && o.ingressClassParams.find((x) => x.metadata.name === p.name);
    return params?.spec.group?.name ?? `(alone) ${id(i)}`;
  };
  const groups = new Map<string, any[]>();
  for (const i of o.ingress) groups.set(groupOf(i), [...(groups.get(groupOf(i)) ?? []), i]);
  for (const [group, members] of groups) {
    // The ALB's own settings: the controller refuses a group whose Ingresses disagree on one.
    for (const key of GROUP_ANNOTATION_KEYS) {
      const values = new Set(members.map((i) => i.metadata.annotations?.[key]));
      if (values.size > 1) problems.push(`ingress group ${group}: its Ingresses disagree on ${key} (${[...values].map(String).join(' / ')})`);
    }
    if (members.some((i) => i.metadata.annotations?.['alb.ingress.kubernetes.io/group.name'] !== undefined)) {
      problems.push(`ingress group ${group}: an Ingress names its group by annotation, which EKS Auto Mode does not support`);
    }
    if (members.filter((i) => i.spec.defaultBackend).length > 1) problems.push(`ingress group ${group}: more than one Ingress sets the default backend`);
    const claimed = new Map<string, string>();
    for (const i of members) {
      for (const rule of i.spec.rules ?? []) {
        for (const path of rule.http?.paths ?? []) {
          const key = `${rule.host ?? '*'}${path.path}`;
          const other = claimed.get(key);
          if (other !== undefined && other !== id(i)) problems.push(`ingress group ${group}: ${other} and ${id(i)} both claim ${key}`);
          claimed.set(key, id(i));
        }
      }
    }
  }

  for (const c of o.ingressClass) {
    const p = c.spec.parameters;
    if (!p) continue;
    const params = o.ingressClassParams.find((x) => x.metadata.name === p.name && x.kind === p.kind && String(x.apiVersion).split('/')[0] === p.apiGroup);
    if (!params) problems.push(`ingress class ${c.metadata.name}: its parameters ${p.apiGroup}/${p.kind} ${p.name} do not exist`);
  }

  for (const h of o.hpa) {
    const ref = h.spec.scaleTargetRef;
    const target = inNamespace(o.deployment, h.metadata.namespace).find((d) => d.metadata.name === ref.name);
    if (ref.kind !== 'Deployment' || ref.apiVersion !== 'apps/v1' || !target) problems.push(`hpa ${id(h)}: scales ${ref.apiVersion} ${ref.kind} ${ref.name}, which does not exist`);
  }

  for (const p of o.pdb) {
    if (podsOf(p.metadata.namespace, p.spec.selector?.matchLabels).length !== 1) problems.push(`pdb ${id(p)}: does not select the pods of exactly one deployment`);
  }

  for (const a of o.podIdentity) {
    if (!o.serviceAccount.some((s) => s.metadata.namespace === a.namespace && s.metadata.name === a.serviceAccount)) {
      problems.push(`pod identity ${a.namespace}/${a.serviceAccount}: no such service account`);
    }
    if (!inNamespace(o.deployment, a.namespace).some((d) => d.spec.template.spec.serviceAccountName === a.serviceAccount)) {
      problems.push(`pod identity ${a.namespace}/${a.serviceAccount}: no deployment runs as it`);
    }
  }
  return problems;
}
