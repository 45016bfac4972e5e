// LLFree inside the hardware model: the same allocator over TracedWords (every shared-word
// access charges the running core through the cache-line model), plus a fixed instruction cost
// per call that the line model does not see. The four costs are fitted on the FITTED published
// single-core figures only (src/published.ts: bulk orders 0 and 9, LLFree ATC'23 artifact, Xeon
// Gold 5320 at 2.2 GHz, in-kernel, Linux 6.0) by the fit of @unimem/hw/frame-bench
// (`pnpm --filter @unimem/llfree bench:calibration --fit`; docs/calibration.md); roughly
// cost = published bulk ns x 2.2 - the simulated line cycles of the same run without them.
// test/calibration.test.ts keeps every fitted row within 15 %; repeat and rand are predictions.
// The order-9 figures include the Linux kernel's per-page work around the allocator (struct
// pages of the 2 MiB block), which a unikernel does not do: `kernel: 'unikernel'` charges the
// order-0 costs for every order (LLFree's own work), `kernel: 'linux'` (default, what the
// published figures measured) the fitted table.

import { ChargedFrameAllocator, type FrameOpCosts, type Machine, TracedWords } from '@unimem/hw';
import type { LLFreeInit } from './api.js';
import { LLFree } from './llfree.js';

/** Per-call costs as measured in the Linux kernel (see the header for the derivation). */
export const LLFREE_LINUX_OP_COSTS: FrameOpCosts = {
  getSmall: 113,
  putSmall: 133,
  getHuge: 539,
  putHuge: 832,
  source:
    "fitted (bench/calibration.ts --fit) to LLFree ATC'23 single-core bulk figures on xeon-gold-5320",
};

/** LLFree's own per-call work, without the Linux kernel's per-page work on huge frames. */
export const LLFREE_UNIKERNEL_OP_COSTS: FrameOpCosts = {
  getSmall: LLFREE_LINUX_OP_COSTS.getSmall,
  putSmall: LLFREE_LINUX_OP_COSTS.putSmall,
  getHuge: LLFREE_LINUX_OP_COSTS.getSmall,
  putHuge: LLFREE_LINUX_OP_COSTS.putSmall,
  source: 'order-0 costs of LLFREE_LINUX_OP_COSTS for every order (no struct pages)',
};

export interface SimulatedLLFreeOptions {
  frames: number;
  cores: number;
  init?: LLFreeInit;
  /** Whose per-call costs to charge (default 'linux', as the published figures). */
  kernel?: 'linux' | 'unikernel';
  /** Label of the traced lines (default 'llfree'). */
  label?: string;
  /** Per-call costs instead of those of `kernel` (the fit of bench/calibration.ts uses it). */
  costs?: FrameOpCosts;
}

/** LLFree over TracedWords on `machine`, charging calibrated per-call costs. */
export function simulatedLLFree(
  machine: Machine,
  options: SimulatedLLFreeOptions,
): ChargedFrameAllocator {
  const { frames, cores, init, kernel = 'linux', label = 'llfree' } = options;
  const llfree = LLFree.create({
    frames,
    cores,
    init,
    words: (buffer) => new TracedWords(machine, buffer, 0, undefined, label),
  });
  const costs =
    options.costs ?? (kernel === 'linux' ? LLFREE_LINUX_OP_COSTS : LLFREE_UNIKERNEL_OP_COSTS);
  return new ChargedFrameAllocator(llfree, machine, costs);
}
