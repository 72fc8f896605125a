// What each resource waits for, as the program tells the engine. The mocks' newResource does not see
// dependencies, so the (mock) resource monitor's registerResource is wrapped once to record them.
const settings = require('@pulumi/pulumi/runtime/settings') as { getMonitor: () => any };

interface Dependencies {
  /** Every resource it waits for: its `dependsOn` and the resources whose outputs it takes as inputs. */
  all: string[];
  /** Those it waits for through `dependsOn` only (not also through an input). */
  explicit: string[];
}

const byKey = new Map<string, Dependencies>();
/** `type name`, e.g. `aws:eks/cluster:Cluster eks-cluster`, from a URN (urn:pulumi:stack::project::parent$type::name). */
const keyOf = (urn: string) => {
  const [, , types, name] = urn.split('::');
  return `${types!.split('$').pop()} ${name}`;
};

function install(): void {
  const monitor = settings.getMonitor();
  if (!monitor || monitor.__recordsDependencies) return;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    const all: string[] = req.getDependenciesList().map(keyOf);
    const viaInputs = new Set<string>();
    req.getPropertydependenciesMap().forEach((deps: any) => deps.getUrnsList().forEach((urn: string) => viaInputs.add(keyOf(urn))));
    byKey.set(`${req.getType()} ${req.getName()}`, { all, explicit: all.filter((n) => !viaInputs.has(n)) });
    return register(req, callback);
  };
  monitor.__recordsDependencies = true;
}
install();

/** What the resource of `type` named `name` (in the last deployment) waits for, each as `type name`. */
export function dependenciesOf(type: string, name: string): Dependencies {
  const found = byKey.get(`${type} ${name}`);
  if (!found) throw new Error(`no ${type} named ${name} was registered`);
  return found;
}
