// The Pulumi program: reads and validates the stack's configuration (before any resource is
// registered), then deploys the chosen target. See README.md for the settings.
import { deploy, readStackConfig } from './program';

const outputs = deploy(readStackConfig());

export const target = outputs.target;
export const mcpUrl = outputs.mcpUrl;
export const healthUrl = outputs.healthUrl;
export const agentUrl = outputs.agentUrl;
export const discovery = outputs.discovery;
export const servers = outputs.servers;
export const functionUrl = outputs.functionUrl;
export const clusterName = outputs.clusterName;
export const kubeconfig = outputs.kubeconfig;
export const auth = outputs.auth;
export const observability = outputs.observability;
export const warnings = outputs.warnings;
