// The OSv presets: OSv's parts (@unimem/osv) and the thesis' (LLFree, superblocks, VMA trees)
// assembled on @unimem/kernel-api's UnikernelMemory, with OSv's mempool or jemalloc as malloc:
//
//   preset                   frames                         virtual memory            malloc
//   osv                      page ranges + L1/L2 pools       vma_list + find_hole      OSv mempool
//   osv+jemalloc             same                            same                      jemalloc
//   osv-llfree               LLFree                          same                      mempool (LLFree build)
//   osv-superblock           LLFree                          superblocks, per-core     mempool (LLFree build)
//   osv-superblock+jemalloc  LLFree                          same                      jemalloc
//
// Frames: PageRangeAllocator under PagePools, both charging the machine, with initial_add's
// bitmap reset charged at boot and the pools filled as OSv's pool threads fill them after boot
// (`prefillPools`); or LLFree over TracedWords with its calibrated per-call costs (unikernel:
// no struct-page work on huge frames; @unimem/llfree simulated.ts), all allocated at first so
// that boot frees it as OSv does. The LLFree builds have no page ranges, so OSv's malloc_large
// rounds to power-of-two blocks there (the thesis' build). VMA locks: OSv's rwlock_t before
// 2025-08 (readers take its internal mutex) for the vma_list presets, the atomics rwlock for the
// superblock presets (the per-core buckets kernel-api assembles); `rwlock` overrides both.
// Footprint: freePhysBytes() is OSv's memory::stats::free(): pages parked in the page pools
// count as used. Invariant: every part gets what it uses as a constructor argument (the frame
// allocator and page ranges are kept here from the frames factory, never looked up again).

import { type FrameAllocator, type Malloc, type MemorySystem, PAGE_SIZE } from '@unimem/core';
import { type Machine, MallocMutex, TracedWords } from '@unimem/hw';
import { Jemalloc, type JemallocOptions, THESIS_CONFIG } from '@unimem/jemalloc';
import { type KernelVma, UnikernelMemory, type UnikernelMemoryOptions } from '@unimem/kernel-api';
import { simulatedLLFree } from '@unimem/llfree';
import {
  OsvMalloc,
  type OsvRwLockKind,
  OsvVmAllocator,
  osvRwLock,
  PagePools,
  PageRangeAllocator,
} from '@unimem/osv';
import { SuperblockAllocator } from '@unimem/superblock';
import { VmaTree } from '@unimem/vma-tree';
import type { Preset, PresetOptions } from './api.js';

export type OsvPresetName =
  | 'osv'
  | 'osv+jemalloc'
  | 'osv-llfree'
  | 'osv-superblock'
  | 'osv-superblock+jemalloc';

export const OSV_PRESETS: readonly OsvPresetName[] = [
  'osv',
  'osv+jemalloc',
  'osv-llfree',
  'osv-superblock',
  'osv-superblock+jemalloc',
];

export interface OsvPresetOptions extends PresetOptions {
  /** Further UnikernelMemory options (tlbFlush, hugePages, runCores, ...). */
  memory?: Partial<Omit<UnikernelMemoryOptions, 'machine' | 'frames' | 'vm' | 'memoryBytes'>>;
  /** rwlock_t of the VMA locks (default 'mutex' with vma_list, 'atomics' with superblocks). */
  rwlock?: OsvRwLockKind;
  /** Fill the page pools at boot as OSv's pool threads do (default true; pool presets only). */
  prefillPools?: boolean;
  /** Options over THESIS_CONFIG for the +jemalloc presets. */
  jemalloc?: Partial<Omit<JemallocOptions, 'memory' | 'machine'>>;
}

/**
 * An assembled OSv preset (see Preset), with the parts it made that callers may inspect: the
 * page pools and ranges of the pool presets and the VM allocator (UnikernelMemory itself exposes
 * none of its parts).
 */
export interface OsvPreset extends Preset<UnikernelMemory> {
  readonly name: OsvPresetName;
  /** The page pools and the page ranges under them (pool presets, after boot), else null. */
  readonly pools: PagePools | null;
  readonly ranges: PageRangeAllocator | null;
  /** The VM allocator the memory booted with (after boot), else null. */
  readonly vm: OsvVmAllocator<KernelVma> | SuperblockAllocator<KernelVma> | null;
}

interface Recipe {
  frames: 'pools' | 'llfree';
  vm: 'vma-list' | 'superblock';
  malloc: 'mempool' | 'jemalloc';
}

const RECIPES: Record<OsvPresetName, Recipe> = {
  osv: { frames: 'pools', vm: 'vma-list', malloc: 'mempool' },
  'osv+jemalloc': { frames: 'pools', vm: 'vma-list', malloc: 'jemalloc' },
  'osv-llfree': { frames: 'llfree', vm: 'vma-list', malloc: 'mempool' },
  'osv-superblock': { frames: 'llfree', vm: 'superblock', malloc: 'mempool' },
  'osv-superblock+jemalloc': { frames: 'llfree', vm: 'superblock', malloc: 'jemalloc' },
};

/**
 * The thesis' reserve_allocated() (core/mempool.cc @ 8657729b): after LLFree is set up with every
 * frame free, boot walks every frame index and takes (llfree_get_at) each frame outside the free
 * ranges. Here all memory is handed to the allocator, so no frame is taken; the walk's check per
 * frame is charged as one L1 hit (a loop over frame indices against the cached range list).
 */
function chargeReserveWalk(machine: Machine, frames: number): void {
  machine.charge(frames * machine.costs.l1Hit, 0);
}

/** Builds preset `name` on `machine` (see the table in the header). */
export function buildOsvPreset(
  name: OsvPresetName,
  machine: Machine,
  options: OsvPresetOptions = {},
): OsvPreset {
  const recipe = RECIPES[name];
  if (recipe === undefined) {
    throw new RangeError(`preset "${name}" is not one of ${OSV_PRESETS.join(', ')}`);
  }
  return new AssembledPreset(name, recipe, machine, options);
}

class AssembledPreset implements OsvPreset {
  readonly memory: UnikernelMemory;
  pools: PagePools | null = null;
  ranges: PageRangeAllocator | null = null;
  vm: OsvVmAllocator<KernelVma> | SuperblockAllocator<KernelVma> | null = null;
  /** The frame allocator the frames factory made at boot. */
  private frames: FrameAllocator | null = null;
  private made: Malloc | null = null;

  constructor(
    readonly name: OsvPresetName,
    private readonly recipe: Recipe,
    readonly machine: Machine,
    private readonly options: OsvPresetOptions,
  ) {
    const rwlock = options.rwlock ?? (recipe.vm === 'vma-list' ? 'mutex' : 'atomics');
    const traced = (buffer: SharedArrayBuffer) => new TracedWords(machine, buffer);
    const prefill = options.prefillPools ?? true;
    this.memory = new UnikernelMemory({
      // OSv maps all memory in its main, page and mempool areas (arch-setup.cc).
      linearMaps: 3,
      ...options.memory,
      machine,
      name,
      memoryBytes: options.memoryBytes,
      frames: ({ frames, cores }) => {
        if (recipe.frames === 'llfree') {
          // The thesis build: llfree_setup(…, LLFREE_INIT_FREE), then reserve_allocated().
          const llfree = simulatedLLFree(machine, {
            frames,
            cores,
            init: 'free',
            kernel: 'unikernel',
          });
          chargeReserveWalk(machine, frames);
          this.frames = llfree;
          return llfree;
        }
        const ranges = new PageRangeAllocator({ frames, cores, machine });
        ranges.chargeInitialAdd(0);
        const pools = new PagePools({ allocator: ranges, machine });
        this.ranges = ranges;
        this.pools = pools;
        this.frames = pools;
        return pools;
      },
      // The page_pool threads fill the pools in the background: not part of boot time.
      afterBoot: () => {
        if (prefill) this.pools?.prefill();
      },
      vm: ({ cores }) => {
        this.vm =
          recipe.vm === 'vma-list'
            ? new OsvVmAllocator<KernelVma>({ cores, machine, rwlock })
            : new SuperblockAllocator<KernelVma>({
                cores,
                lock: (lockName) => osvRwLock(machine, lockName, rwlock),
                index: () => new VmaTree<KernelVma>({ tracer: machine.lines }),
                tracer: machine.lines,
                words: traced,
              });
        return this.vm;
      },
    });
  }

  // The methods are bound (arrow properties): assemblers such as the bench's memorySystemParts
  // copy them onto other objects.
  readonly malloc = (mapper: MemorySystem = this.memory): Malloc => {
    if (this.made !== null) return this.made;
    const { memory, machine, options } = this;
    this.made =
      this.recipe.malloc === 'mempool'
        ? new OsvMalloc({
            kernel: memory.kernel, // throws when not booted
            mapper,
            pageRanges: this.ranges ?? undefined,
            powerOfTwo: this.recipe.frames === 'llfree',
            maxOrder: this.bootedFrames().maxOrder,
          })
        : new Jemalloc({
            ...THESIS_CONFIG,
            // Inside OSv, jemalloc's pthread_mutex is OSv's lockfree::mutex.
            mutex: (name) => new MallocMutex(machine, name, { blocking: 'osv' }),
            ...options.jemalloc,
            memory: mapper,
            machine,
            seed: options.seed ?? 1,
          });
    return this.made;
  };

  readonly freePhysBytes = (): number => {
    const frames = this.bootedFrames();
    return (frames.freeFrames() - (this.pools?.pooledFrames() ?? 0)) * PAGE_SIZE;
  };

  /** The frame allocator the memory booted with. */
  private bootedFrames(): FrameAllocator {
    if (this.frames === null) throw new Error(`${this.name}: not booted (boot() its memory first)`);
    return this.frames;
  }

  readonly counters = (): Record<string, number> => {
    const out: Record<string, number> = {};
    if (this.pools !== null) addNumbers(out, 'pools', this.pools.stats());
    const malloc = this.made;
    if (malloc instanceof OsvMalloc) addNumbers(out, 'malloc', malloc.stats());
    if (malloc instanceof Jemalloc) addNumbers(out, 'jemalloc', malloc.stats());
    return out;
  };
}

/** Copies the numeric fields of `values` into `out` as `prefix.field`. */
function addNumbers(out: Record<string, number>, prefix: string, values: object): void {
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'number') out[`${prefix}.${key}`] = value;
  }
}
