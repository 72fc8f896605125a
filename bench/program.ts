// How long the Pulumi program takes to run under mocks, per target (bundles built once first).
// Usage: npx tsx bench/program.ts
import '../tests/setup';
import { buildBundle, bundleSpecs } from '../scripts/bundles';
import { deployWith } from '../tests/helpers/pulumi';

async function main() {
  await Promise.all(bundleSpecs().filter((s) => s.kind === 'lambda' || s.kind === 'agentLambda').map(buildBundle));
  for (const target of ['lambda', 'fargate', 'eks']) {
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const d = await deployWith({ target, domainName: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
      times.push(performance.now() - t0);
      count = d.resources.length;
    }
    console.log(`${target.padEnd(8)} ${count} resources, ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
