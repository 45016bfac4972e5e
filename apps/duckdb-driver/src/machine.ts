// Facts about the machine a trace or a timing was taken on: CPU model, cores, kernel, memory and
// the transparent-huge-page mode (which decides whether the kernel may back faults with 2 MiB).

import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { MachineInfo } from './trace/metadata.js';

export function machineInfo(): MachineInfo {
  let thp = 'unknown';
  try {
    const text = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
    thp = /\[(\w+)\]/.exec(text)?.[1] ?? thp;
  } catch {}
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    kernel: release(),
    memoryBytes: totalmem(),
    thp,
  };
}
