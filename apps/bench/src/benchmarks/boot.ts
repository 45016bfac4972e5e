// Micro-benchmark `boot`: the memory subsystem's boot time (metric `memory-boot`) — frame
// allocator init, linear maps of all memory, VM allocator — at 1 GiB (thesis boot.conf: OSv's "Booted up in … ms" at 1G) and at
// 500 GiB (docs/design.md; the thesis has no 500 GB config). The system is built unbooted
// (`measuresBoot`), and core 0 boots it inside the run, as OSv's boot CPU does; the other cores
// only exist (OSv's boot time hardly depends on vCPUs: the core count is accepted, and per-core
// structures such as LLFree's reservations are the only difference). The value is simulated
// milliseconds; the counters hold the cycles and, where the system reports it (UnikernelMemory's
// bootReport), their split into frame init, linear map and VM init. Host time is per case in the
// report (meta.caseHostMs): booting 500 GiB is the expensive part of the runner.

import { formatBytes, GiB, MiB } from '@unimem/core';
import type { BenchmarkDefinition, ParamOptions, PresetCase } from '../api.js';
import { TimedPart } from '../measure.js';

type BootParams = { memoriesBytes: string };

const NAME = 'boot';
const MEMORIES = [1 * GiB, 500 * GiB];
/** Smallest memory a scaled-down boot may have (LLFree needs 1024 frames; linear map in 2 MiB). */
const MIN_MEMORY = 4 * MiB;

function params({ scale }: ParamOptions): BootParams {
  const memories = MEMORIES.map((bytes) => Math.round((bytes * scale) / (2 * MiB)) * 2 * MiB);
  if (memories.some((bytes) => !(bytes >= MIN_MEMORY) || !Number.isSafeInteger(bytes))) {
    throw new RangeError(
      `${NAME}: --scale ${scale} gives a memory size outside ${formatBytes(MIN_MEMORY)}..2^53 bytes`,
    );
  }
  return { memoriesBytes: memories.join(',') };
}

function memoriesOf(p: BootParams): number[] {
  return p.memoriesBytes.split(',').map(Number);
}

function memoryOf(p: BootParams, variant: unknown): number {
  const bytes = memoriesOf(p).find((m) => formatBytes(m) === variant);
  if (bytes === undefined) throw new RangeError(`${NAME}: unknown memory size "${variant}"`);
  return bytes;
}

/** Numbers of a boot report, if the memory system has one. */
function bootReportOf(memory: object): Record<string, number> {
  const report = (memory as { bootReport?: Record<string, unknown> }).bootReport;
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(report ?? {})) {
    if (typeof value === 'number') out[`boot.${name}`] = value;
  }
  return out;
}

export const benchmarks: BenchmarkDefinition<BootParams, 'memory-system', typeof NAME>[] = [
  {
    name: NAME,
    description:
      "memory-subsystem boot time: core 0 sets up the frame allocator (OSv: page ranges; the thesis: LLFree with INIT_FREE and the reserve walk over every frame), maps all memory linearly (OSv: three times, main, page and mempool areas) and sets up the VM allocator (thesis boot.conf at 1 GiB; 500 GiB). The page-pool prefill of OSv's pool threads runs after it and is not counted (counter boot.backgroundCycles). This is not OSv's 'Booted up in' time (core/chart.cc), which also holds what the model does not simulate: firmware and loader, CPU and SMP bring-up, ACPI and device probing, the file-system mount and loading the application",
    target: 'memory-system',
    measuresBoot: true,
    metrics: [
      {
        name: 'memory-boot',
        unit: 'ms',
        description: 'simulated time of the memory subsystem boot() on core 0',
      },
    ],
    cores: { quick: [1, 16, 64], full: [1, 16, 32, 48, 64] },
    params,
    memoryBytes: (p, { variant }) => memoryOf(p, variant),
    variants: (p) => memoriesOf(p).map(formatBytes),
    chart: { kind: 'bars', perVariant: true },
    prepare({ machine, parts }: PresetCase<BootParams>) {
      const preset = parts['memory-system'];
      const part = new TimedPart(machine, 'memory-boot', undefined, 'ms');
      let cycles = 0;
      return {
        program: (core) =>
          (function* () {
            if (core === 0) {
              part.begin(0);
              const start = machine.now(0);
              preset.memory.boot();
              cycles = machine.now(0) - start;
              part.end(0, 1);
            }
            yield;
          })(),
        results: () => {
          const measured = part.measurement();
          return [
            {
              ...measured,
              value: cycles / (machine.profile.frequencyGhz.value * 1e6),
              counters: { ...measured.counters, cycles, ...bootReportOf(preset.memory) },
            },
          ];
        },
      };
    },
  },
];
