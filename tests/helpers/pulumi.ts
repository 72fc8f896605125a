import * as pulumi from '@pulumi/pulumi';
import { deploy, readStackConfig, type StackOutputs } from '../../program';
import { aliases, calls, registered, urns, type Registered } from '../setup';

// Drains Pulumi's queue of outstanding registrations (what the engine waits for before a program ends).
const { waitForRPCs } = require('@pulumi/pulumi/runtime/settings') as { waitForRPCs: () => Promise<void> };

/** The value of an Output, once known. */
export function valueOf<T>(output: pulumi.Input<T> | undefined): Promise<T> {
  return new Promise((resolve) => pulumi.output(output as pulumi.Input<T>).apply((v) => resolve(v as T)));
}

/** Sets this project's stack configuration (keys without the project prefix), plus the AWS region. */
export function setConfig(values: Record<string, string | string[] | boolean | number>): void {
  const config: Record<string, string> = { 'aws:region': 'us-east-1' };
  for (const [k, v] of Object.entries(values)) config[`mcp-on-aws:${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(config);
}

export interface Deployed {
  outputs: StackOutputs;
  resources: Registered[];
  /** Resources of one type, e.g. 'aws:lambda/function:Function', but the agent's and the stack's observability's. */
  all(type: string): Registered[];
  /** The one resource of a type, but the agent's, or the one with that name (fails when there are none or several). */
  one(type: string, name?: string): Registered;
  /** The agent's resources of one type (the program names them agent-…). */
  agent(type: string): Registered[];
  /** The observability's resources of one type (dashboard, alarms, synthetic check: observability-…). */
  observability(type: string): Registered[];
}

/** Runs the program under mocks with `values` as the stack's configuration and waits for its outputs. */
export async function deployWith(values: Record<string, string | string[] | boolean | number>): Promise<Deployed> {
  setConfig(values);
  registered.length = 0;
  urns.length = 0;
  aliases.length = 0;
  calls.length = 0;
  const outputs = deploy(readStackConfig());
  await valueOf(pulumi.all([outputs.mcpUrl, outputs.healthUrl, outputs.agentUrl, outputs.discovery, outputs.functionUrl, outputs.servers]));
  // Registrations that no output waits on (the function waits for its bundle to build) finish too.
  await waitForRPCs();
  const resources = [...registered];
  const isAgent = (r: Registered) => r.name.startsWith('agent-');
  const isObservability = (r: Registered) => r.name.startsWith('observability-');
  const all = (type: string) => resources.filter((r) => r.type === type && !isAgent(r) && !isObservability(r));
  return {
    outputs,
    resources,
    all,
    agent: (type) => resources.filter((r) => r.type === type && isAgent(r)),
    observability: (type) => resources.filter((r) => r.type === type && isObservability(r)),
    one(type, name) {
      const found = all(type).filter((r) => name === undefined || r.name === name);
      if (found.length !== 1) throw new Error(`expected one ${type}${name === undefined ? '' : ` named ${name}`}, found ${found.length}`);
      return found[0]!;
    },
  };
}
