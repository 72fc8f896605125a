// Run inside a copy of the project (see tests/scratch.test.ts), with the test mocks loaded
// (`node -r tsx/cjs -r ./tests/setup.ts tests/scratch/probe.ts`): deploys the program under mocks on every
// target with a custom domain and prints, as one JSON line, what each server got.
import { deployWith, valueOf } from '../helpers/pulumi';

const domain = { domainName: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };

void (async () => {
  const seen: Record<string, unknown> = {};
  for (const target of ['lambda', 'fargate', 'eks']) {
    const d = await deployWith({ target, ...domain });
    const inputs = (type: string) => d.resources.filter((r) => r.type === type).map((r) => r.inputs);
    seen[target] = {
      servers: await valueOf(d.outputs.servers),
      cloudMapServices: inputs('aws:servicediscovery/service:Service').map((s) => s.name),
      routes: inputs('aws:apigatewayv2/route:Route').map((r) => r.routeKey),
      rulePaths: inputs('aws:lb/listenerRule:ListenerRule').flatMap((r) => r.conditions.flatMap((c: any) => c.pathPattern?.values ?? [])),
      ingressPaths: inputs('kubernetes:networking.k8s.io/v1:Ingress').flatMap((i) =>
        (i.spec.rules ?? []).flatMap((rule: any) => rule.http.paths.map((p: any) => p.path)),
      ),
    };
  }
  console.log(JSON.stringify(seen));
})();
