// Gathering unmapped pages and invalidating their translations before their frames are freed:
// OSv's `tlb_gather` (core/mmu.cc). Pages are collected up to `gatherPages` (20); a full batch,
// or the end of the operation, flushes and only then frees the batch's frames and the page-table
// pages the unmaps emptied (table-frees.ts), so a frame is never reused while some TLB may still
// translate to it. Invariant: every frame handed to `add`
// is freed exactly once, after a flush that covered its page.
//
// Two policies:
// - 'global' (OSv, default): `flush_tlb_all` — a local CR3 reload, then under the global
//   `tlb_flush` mutex an IPI to every other core of the run, each of which reloads CR3; the
//   initiator waits for all acknowledgements (hw Ipis.flushTlbAll).
// - 'invlpg' (the later INVLPG work for uCache, docs/reference/osv.md §2): INVLPG of each page locally, then a
//   shootdown whose handler INVLPGs the same pages, to the targets below; above INVLPG_CEILING
//   pages both sides flush fully instead (Linux's ceiling). No global mutex: shootdowns from
//   different cores proceed in parallel, as Linux's do. Idle cores, and with paravirtual IPIs
//   (guest Linux: the `ipiMode` option) preempted vCPUs, get no IPI: their TLB is flushed
//   fully at their next switch-in / VM entry (hw Ipis.flushTlbMulti).
//   Targets, 'run' (default): every other core of the run — a unikernel has one address space
//   that every core runs, so this is Linux's mm_cpumask. 'holders': only cores whose TLB holds a
//   translation of a page of the batch, read from the TLB model without charge. No real kernel
//   knows this; it is the lower bound any tracking of "cores that may hold the mapping"
//   (per-VMA cpumasks, LATR-style lazy lists) can reach.

import type { IpiAction } from '@unimem/hw';
import { INVLPG_CEILING } from './api.js';
import type { MemoryContext } from './context.js';

/** What a TLB batch uses: the TLBs and IPIs, the flush policy, and the frees after a flush. */
export type TlbGatherParts = Pick<
  MemoryContext,
  | 'settings'
  | 'tlb'
  | 'ipis'
  | 'tlbFlushMutex'
  | 'runCores'
  | 'tableFrees'
  | 'putFrame'
  | 'count'
  | 'counters'
>;

/** What `add` takes for a page whose frame is not to be freed (mprotect, split pieces). */
export const NO_FRAME = -1;

export class TlbGather {
  private core = 0;
  private flushing = true;
  private readonly vas: Float64Array;
  private count = 0;
  private readonly frames: number[] = [];
  private readonly orders: number[] = [];
  private readonly invlpgAction: IpiAction;
  private readonly fullAction: IpiAction;

  constructor(private readonly ctx: TlbGatherParts) {
    this.vas = new Float64Array(ctx.settings.gatherPages);
    this.invlpgAction = (target) => {
      for (let i = 0; i < this.count; i++) ctx.tlb.invlpg(target, this.vas[i]);
    };
    this.fullAction = (target) => ctx.tlb.flushAll(target);
  }

  /**
   * Starts a batch for `core`. `flush` false: nothing to invalidate because no core can hold a
   * translation yet (rolling back a populate within the same operation).
   */
  begin(core: number, flush = true): void {
    if (this.count !== 0 || this.frames.length !== 0) {
      throw new Error('tlb gather: begin() while a batch is pending (missing finish())');
    }
    this.core = core;
    this.flushing = flush;
  }

  /** A leaf at `va` was unmapped; `frame` (NO_FRAME for none) of `order` is freed after the flush. */
  add(va: number, frame: number, order: number): void {
    if (this.count === this.vas.length) this.flush();
    this.vas[this.count++] = va;
    if (frame !== NO_FRAME) {
      this.frames.push(frame);
      this.orders.push(order);
    }
  }

  /** Frees `frame` with the batch (it was never mapped: a deposited table frame). */
  addFree(frame: number, order: number): void {
    this.frames.push(frame);
    this.orders.push(order);
  }

  /** Flushes what is pending and frees its frames; ends the batch. */
  finish(): void {
    this.flush();
  }

  private flush(): void {
    const ctx = this.ctx;
    const core = this.core;
    const flushed = this.count > 0 && this.flushing;
    if (flushed) {
      ctx.count(core, ctx.counters.tlbFlushBatches);
      if (ctx.settings.tlbFlush === 'global') {
        ctx.ipis.flushTlbAll(core, ctx.tlb, ctx.tlbFlushMutex);
      } else if (this.count > INVLPG_CEILING) {
        ctx.tlb.flushAll(core);
        ctx.ipis.flushTlbMulti(core, this.targets(), this.fullAction, this.fullAction);
      } else {
        for (let i = 0; i < this.count; i++) ctx.tlb.invlpg(core, this.vas[i]);
        ctx.ipis.flushTlbMulti(core, this.targets(), this.invlpgAction, this.fullAction);
      }
    }
    this.count = 0;
    for (let i = 0; i < this.frames.length; i++) ctx.putFrame(core, this.frames[i], this.orders[i]);
    // Emptied table pages go after a flush (or when nothing could have cached them).
    if (ctx.tableFrees.pending > 0 && (flushed || !this.flushing)) ctx.tableFrees.release(core);
    this.frames.length = 0;
    this.orders.length = 0;
  }

  private targets(): readonly number[] | 'all-but-self' {
    const ctx = this.ctx;
    if (ctx.settings.invlpgTargets === 'run') return 'all-but-self';
    const out: number[] = [];
    for (const target of ctx.runCores) {
      if (target === this.core) continue;
      for (let i = 0; i < this.count; i++) {
        if (ctx.tlb.holds(target, this.vas[i]) !== 0) {
          out.push(target);
          break;
        }
      }
    }
    return out;
  }
}
