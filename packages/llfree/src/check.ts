// A consistency checker for a quiescent LLFree buffer (no operation in flight): walks the lower
// level and compares every child counter with its bitfield, then every tree counter plus the
// reservation naming it with the sum of its children. Tests and stress runs call it after each
// step; users can call it after a recovery. Not a hot path: it may allocate.

import type { AtomicWords } from '@unimem/hw';
import { CHILD_FRAMES, TREE_CHILDREN, TREE_FRAMES } from './api.js';
import { Child, Local, Tree } from './entries.js';
import { Layout } from './layout.js';
import { Locals } from './local.js';
import { Lower } from './lower.js';
import { Trees } from './trees.js';

const MAX_PROBLEMS = 20;

/** Problems found in the buffer behind `words` (empty when consistent). */
export function checkConsistency(words: AtomicWords): string[] {
  const layout = Layout.read(words);
  const lower = new Lower(words, layout);
  const trees = new Trees(words, layout.treeWords, layout.trees, layout.frames);
  const locals = new Locals(words, layout.locals, layout.cores, layout.kinds);
  const problems: string[] = [];
  const report = (problem: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };

  const holders = new Map<number, number[]>();
  for (let core = 0; core < layout.cores; core++) {
    for (let kind = 0; kind < layout.kinds; kind++) {
      const local = locals.load(locals.slot(core, kind));
      if (!Local.present(local)) continue;
      const tree = Local.tree(local);
      if (tree >= layout.trees || Local.free(local) > TREE_FRAMES) {
        report(
          `core ${core} kind ${kind} reserves tree ${tree} with ${Local.free(local)} free: garbage reservation word 0x${(local >>> 0).toString(16)} (${layout.trees} trees of ${TREE_FRAMES} frames; recover() drops it)`,
        );
        continue;
      }
      const list = holders.get(tree) ?? [];
      list.push(local);
      holders.set(tree, list);
    }
  }

  for (let tree = 0; tree < layout.trees; tree++) {
    let sum = 0;
    for (let child = tree * TREE_CHILDREN; child < (tree + 1) * TREE_CHILDREN; child++) {
      sum += checkChild(lower, child, report);
    }
    const entry = trees.load(tree);
    const held = holders.get(tree) ?? [];
    if (held.length > 1) report(`tree ${tree} is reserved by ${held.length} reservations`);
    if (Tree.reserved(entry) !== (held.length === 1)) {
      report(`tree ${tree}: reserved flag ${Tree.reserved(entry)} but ${held.length} holders`);
    }
    const local = held.length === 1 ? Local.free(held[0]) : 0;
    if (Tree.free(entry) + local !== sum) {
      report(`tree ${tree}: counter ${Tree.free(entry)} + reservation ${local} != children ${sum}`);
    }
  }
  return problems;
}

/** Checks one child; returns its free count (as the bitfield says). */
function checkChild(lower: Lower, child: number, report: (problem: string) => void): number {
  const entry = lower.child(child);
  const capacity = lower.capacity(child);
  const first = child * CHILD_FRAMES;
  if (Child.locked(entry)) {
    if (entry !== Child.HUGE) report(`child ${child}: entry 0x${entry.toString(16)} in flight`);
    if (capacity !== CHILD_FRAMES) report(`child ${child}: huge but only ${capacity} frames`);
    if (!lower.bits.isClear(child)) report(`child ${child}: huge with bits set`);
    return 0;
  }
  for (let frame = capacity; frame < CHILD_FRAMES; frame++) {
    if (lower.bits.isFree(first + frame, 0)) {
      report(`child ${child}: frame ${first + frame} beyond the end is free`);
      break;
    }
  }
  const bits = lower.bits.countFree(child);
  if (Child.free(entry) !== bits) {
    report(`child ${child}: counter ${Child.free(entry)} != ${bits} free bits`);
  }
  return bits;
}
