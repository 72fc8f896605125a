/**
 * The CPU and memory pairs Fargate accepts for a Linux task
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
 * `cpu` is in CPU units (1024 = 1 vCPU), memory in MiB.
 */
export const FARGATE_SIZES: ReadonlyArray<{ cpu: number; memory: readonly number[] }> = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: range(1024, 4096, 1024) },
  { cpu: 1024, memory: range(2048, 8192, 1024) },
  { cpu: 2048, memory: range(4096, 16384, 1024) },
  { cpu: 4096, memory: range(8192, 30720, 1024) },
  { cpu: 8192, memory: range(16384, 61440, 4096) },
  { cpu: 16384, memory: range(32768, 122880, 8192) },
];

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** The memory values Fargate allows with `cpu`, or undefined when `cpu` is not a Fargate size. */
export function fargateMemoryFor(cpu: number): readonly number[] | undefined {
  return FARGATE_SIZES.find((s) => s.cpu === cpu)?.memory;
}

/** A readable list of the memory values allowed with `cpu`, e.g. "1024-4096 in steps of 1024". */
export function describeFargateMemory(cpu: number): string {
  const memory = fargateMemoryFor(cpu);
  if (!memory) return 'none';
  if (memory.length <= 3) return memory.join(', ');
  return `${memory[0]}-${memory[memory.length - 1]} in steps of ${memory[1]! - memory[0]!}`;
}

/** The smallest Fargate task that has at least `memoryMb` of memory (and, when given, `cpu` CPU units). */
export function smallestFargateTask(memoryMb: number, cpu?: number): { cpu: number; memory: number } {
  for (const size of FARGATE_SIZES) {
    if (cpu !== undefined && size.cpu !== cpu) continue;
    const memory = size.memory.find((m) => m >= memoryMb);
    if (memory !== undefined) return { cpu: size.cpu, memory };
  }
  if (cpu !== undefined) throw new RangeError(`no Fargate task of ${cpu} CPU units has ${memoryMb} MiB of memory (${describeFargateMemory(cpu)})`);
  throw new RangeError(`no Fargate task has ${memoryMb} MiB of memory (the largest has 122880)`);
}
