// Boot of the memory subsystem (OSv `arch_setup_free_memory`), on core 0, each step charged to
// core 0's clock so that boot cost can be measured:
// 1. Frame allocator: made by its factory inside boot (a traced allocator charges its own
//    initialisation). An allocator that starts with every frame allocated is initialised the
//    way OSv initialises LLFree's memory — every frame freed, here in maxOrder blocks. An
//    allocator whose construction charged nothing (untraced) is charged for writing its
//    metadata once: zeroPage per 4 KiB of metadataBytes().
// 2. Linear map: all physical memory at LINEAR_BASE with 2 MiB (OSv: `nr_page_sizes=2`) or
//    1 GiB pages through PageTable.mapRange; a tail that is not a multiple of the page size is
//    mapped with the next smaller sizes. `linearMaps` times: OSv maps RAM in its main, page and
//    mempool areas (arch-setup.cc: linear_map() ×3 per e820 range), Linux once. Table pages come from the frame allocator; the page
//    table frees them through DeferredTableFrees (after the next TLB flush).
// 3. VM allocator: made by its factory; the linear map's range is taken out of its free
//    address space (validate + allocateRange under freeRangesLock), so mmap never returns it.
// The report's cycles end here: the memory subsystem's boot time. Then `afterBoot` runs the work of
// background threads boot started (OSv's page-pool threads filling the pools), reported apart.
// Afterwards every core's clock is moved up to core 0's: the other cores start after boot.

import { type FrameAllocator, Ok, PAGE_SIZE } from '@unimem/core';
import { Ipis, PageSize, PageTable, PteFlag, Tlb } from '@unimem/hw';
import {
  type BootReport,
  type KernelVmAllocator,
  type KernelVma,
  LINEAR_AREA_STRIDE,
  LINEAR_BASE,
  type PartsContext,
  type UnikernelMemoryOptions,
} from './api.js';
import { MemoryContext, type Settings } from './context.js';
import { DeferredTableFrees } from './table-frees.js';

const BOOT_CORE = 0;
const LINEAR_FLAGS = PteFlag.Writable | PteFlag.Global;

/** The resolved options boot needs besides the factories. */
export interface BootPlan {
  options: UnikernelMemoryOptions;
  memoryBytes: number;
  linearPageBytes: number;
  runCores: readonly number[];
  settings: Settings;
  tlbFlushMutex: UnikernelMutex;
  ptHighMutex: UnikernelMutex;
}

type UnikernelMutex = MemoryContext['tlbFlushMutex'];

/** Boots on BOOT_CORE, bound for the whole boot (the parts' factories charge the bound core). */
export function boot(plan: BootPlan): { ctx: MemoryContext; report: BootReport } {
  const handle = plan.options.machine.core(BOOT_CORE);
  const outer = handle.bind();
  try {
    return bootOnBootCore(plan);
  } finally {
    handle.unbind(outer);
  }
}

function bootOnBootCore(plan: BootPlan): { ctx: MemoryContext; report: BootReport } {
  const { options, memoryBytes } = plan;
  const machine = options.machine;
  const parts: PartsContext = { machine, frames: memoryBytes / PAGE_SIZE, cores: machine.cores };
  const t0 = machine.now(BOOT_CORE);

  const frames = options.frames(parts);
  if (machine.now(BOOT_CORE) === t0) {
    const pages = Math.ceil(frames.metadataBytes() / PAGE_SIZE);
    machine.memory.stream(BOOT_CORE, pages * PAGE_SIZE, pages * machine.costs.zeroPage);
  }
  freeInitialMemory(frames);
  const t1 = machine.now(BOOT_CORE);

  const tableFrees = new DeferredTableFrees(frames);
  const pageTable = new PageTable(machine, tableFrees, { core: BOOT_CORE, label: 'page-table' });
  const linearBytes = frames.totalFrames() * PAGE_SIZE;
  const linearMaps = options.linearMaps ?? 1;
  if (!Number.isInteger(linearMaps) || linearMaps < 1 || linearMaps > 3) {
    throw new RangeError(`linearMaps ${linearMaps} must be 1, 2 or 3`);
  }
  for (let area = 0; area < linearMaps; area++) {
    mapLinear(
      pageTable,
      LINEAR_BASE + area * LINEAR_AREA_STRIDE,
      linearBytes,
      plan.linearPageBytes,
    );
  }
  const t2 = machine.now(BOOT_CORE);

  const vm = options.vm(parts);
  for (let area = 0; area < linearMaps; area++) {
    reserveLinear(vm, LINEAR_BASE + area * LINEAR_AREA_STRIDE, linearBytes);
  }
  const t3 = machine.now(BOOT_CORE);
  options.afterBoot?.(frames);
  const t4 = machine.now(BOOT_CORE);

  const ctx = new MemoryContext({
    machine,
    frames,
    pageTable,
    tableFrees,
    tlb: new Tlb(machine, options.tlb),
    ipis: new Ipis(machine, { cores: plan.runCores, mode: options.ipiMode }),
    vm,
    tlbFlushMutex: plan.tlbFlushMutex,
    ptHighMutex: plan.ptHighMutex,
    settings: plan.settings,
    linearBytes,
    runCores: plan.runCores,
  });
  // The other cores start once boot is done (their first accesses come after its writes).
  for (let core = 0; core < machine.cores; core++) machine.advanceTo(t4, core);
  const report: BootReport = {
    cycles: t3 - t0,
    frameInitCycles: t1 - t0,
    linearMapCycles: t2 - t1,
    vmInitCycles: t3 - t2,
    tablePages: pageTable.tablePages(),
    linearMaps,
    backgroundCycles: t4 - t3,
  };
  return { ctx, report };
}

/** Frees all memory of an allocator that starts with every frame allocated. */
function freeInitialMemory(frames: FrameAllocator): void {
  const total = frames.totalFrames();
  if (frames.freeFrames() === 0 && total > 0) {
    for (let frame = 0; frame < total; ) {
      let order = frames.maxOrder;
      while (frame % 2 ** order !== 0 || frame + 2 ** order > total) order--;
      const status = frames.put(BOOT_CORE, frame, order);
      if (status !== Ok) {
        throw new Error(
          `boot: ${frames.name} put(frame ${frame}, order ${order}) failed (${status})`,
        );
      }
      frame += 2 ** order;
    }
  }
}

/** Maps [0, bytes) of physical memory at `base`, largest pages first. */
function mapLinear(pageTable: PageTable, base: number, bytes: number, pageBytes: number): void {
  const sizes = [PageSize.Size1G, PageSize.Size2M, PageSize.Size4K].filter((s) => s <= pageBytes);
  let done = 0;
  for (const size of sizes) {
    const chunk = Math.floor((bytes - done) / size) * size;
    if (chunk === 0) continue;
    const status = pageTable.mapRange(
      BOOT_CORE,
      base + done,
      done / PAGE_SIZE,
      chunk,
      size,
      LINEAR_FLAGS,
    );
    if (status !== Ok) {
      throw new Error(
        `boot: linear map of ${chunk} bytes with ${size}-byte pages failed (${status})`,
      );
    }
    done += chunk;
  }
}

function reserveLinear(vm: KernelVmAllocator<KernelVma>, base: number, bytes: number): void {
  if (!vm.validate(BOOT_CORE, base, bytes)) {
    throw new RangeError(
      `boot: the VM allocator refuses the linear map [0x${base.toString(16)}, +${bytes}) (validate)`,
    );
  }
  const lock = vm.freeRangesLock(base);
  lock.writeLock(BOOT_CORE);
  const status = vm.allocateRange(base, bytes);
  lock.writeUnlock(BOOT_CORE);
  if (status !== Ok) {
    throw new RangeError(
      `boot: the VM allocator has no free range for the linear map at 0x${base.toString(16)} (${status})`,
    );
  }
}
