// Recovery: rebuilds the upper level (tree counters, reservations, hints) from the lower level,
// and in deep mode first repairs the lower level from the bitfields (ATC'23 §3, persistent
// `Init::Recover`; llfree-c `RECOVER` / `RECOVER_CRASH`). It must run while no other thread
// uses the allocator (after a crash, or before the workers start).
//
// Why this is sound. Every allocation lowers the counters (reservation or tree, then child)
// before it sets bits; every free clears bits before it raises the counters; a huge frame is one
// CAS of its child entry. So at any instant - in particular at a crash - each child's counter is
// at most the number of clear bits of its bitfield, and a frame whose bit is set is never
// counted free. Hence:
// - Shallow recovery trusts the children and recomputes each tree as the sum of its children.
//   Nothing can be handed out twice; frames of operations cut short by the crash may be counted
//   allocated although free (a leak, never a double allocation). The reservations vanish with
//   the upper level; their counts are part of the children's sums, so nothing is lost.
// - Deep recovery trusts the bits alone and rebuilds every child from its bitfield, whatever
//   its counter says (a counter may have been scribbled over, e.g. to "all free", and trusting
//   it would hand out a 2 MiB block holding allocated frames). This also removes the leaks of
//   operations cut short. A huge child owns its whole bitfield, which must be zero: if bits are
//   set, flag and bits disagree and neither can be trusted, so the child stays one allocated
//   huge frame (the safe reading: nothing is handed out, a later partial free splits it) with
//   its bits cleared, and recovery reports Corruption. Bits beyond the last frame are set again
//   if they were cleared (those frames do not exist).
// - A child caught "splitting" (a partial free of a huge frame, lower.ts) had its bitfield
//   filled with ones word by word, in order, while other frees of parts of that huge frame may
//   already have cleared bits in filled words. If no word was filled yet, nothing was freed: it
//   stays one allocated huge frame. Otherwise the trailing all-zero words are taken as not yet
//   filled and set to ones (a word that was filled and then entirely freed is thereby leaked,
//   never handed out twice), and the child is recounted from its bits. Both modes do this.

import { AllocError, Ok, type Status } from '@unimem/core';
import { CHILD_FRAMES, TREE_CHILDREN } from './api.js';
import { Child, Local, Tree } from './entries.js';
import type { Layout } from './layout.js';
import type { Locals } from './local.js';
import type { Lower } from './lower.js';
import type { Trees } from './trees.js';

/** Repairs the lower level (deep) and rebuilds the upper level. Ok, or Corruption (shallow). */
export function recover(
  layout: Layout,
  lower: Lower,
  trees: Trees,
  locals: Locals,
  deep: boolean,
): Status {
  let status: Status = Ok;
  for (let tree = 0; tree < layout.trees; tree++) {
    let free = 0;
    for (let child = tree * TREE_CHILDREN; child < (tree + 1) * TREE_CHILDREN; child++) {
      const checked = deep ? recoverChildDeep(lower, child) : recoverChild(lower, child);
      // A shallow -1 counts nothing; a deep -1 is a huge child kept allocated (0 free).
      if (checked < 0) status = AllocError.Corruption;
      else free += checked;
    }
    trees.store(tree, Tree.of(free, false));
  }
  for (let core = 0; core < layout.cores; core++) {
    for (let kind = 0; kind < layout.kinds; kind++) {
      const slot = locals.slot(core, kind);
      locals.exchange(slot, Local.NONE);
      locals.setHint(slot, 0);
    }
    locals.resetFrees(core);
  }
  return status;
}

/** Shallow: trusts the counter; finishes an interrupted split. Free frames, or -1 if invalid. */
function recoverChild(lower: Lower, child: number): number {
  const entry = lower.child(child);
  const capacity = lower.capacity(child);
  if (Child.locked(entry)) {
    if (capacity < CHILD_FRAMES) return -1;
    return Child.splitting(entry) ? finishSplit(lower, child) : 0;
  }
  const free = Child.free(entry);
  return free > capacity ? -1 : free;
}

/** Deep: rebuilds the child from its bitfield. Free frames, or -1 if flag and bits disagree. */
function recoverChildDeep(lower: Lower, child: number): number {
  const entry = lower.child(child);
  const capacity = lower.capacity(child);
  if (capacity < CHILD_FRAMES) lower.bits.fillFrom(child, capacity);
  if (Child.splitting(entry) && capacity === CHILD_FRAMES) return finishSplit(lower, child);
  if (Child.huge(entry) && capacity === CHILD_FRAMES) {
    const clear = lower.bits.isClear(child);
    lower.setChild(child, Child.HUGE);
    if (!clear) lower.bits.clear(child);
    return clear ? 0 : -1;
  }
  const free = lower.bits.countFree(child);
  lower.setChild(child, Child.withFree(free));
  return free;
}

/** Completes or undoes a split cut short by the crash; returns the child's free frames. */
function finishSplit(lower: Lower, child: number): number {
  if (lower.bits.isClear(child)) {
    lower.setChild(child, Child.HUGE);
    return 0;
  }
  lower.bits.fillTrailingZeroWords(child);
  const free = lower.bits.countFree(child);
  lower.setChild(child, Child.withFree(free));
  return free;
}
