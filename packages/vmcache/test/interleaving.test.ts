// Eviction gives other cores their turn where they would act in real time. The scheduler runs a
// core's code between two yields as one step, and what a long step touches late is placed in
// simulated time only approximately (hw README, "Operation granularity"). Until 2026-12-05 an
// eviction swept up to two turns of the clock in one step and the kernel-api back end freed its
// whole batch in one step; with hw's word ordering of that day (a write waited for the word's
// latest write) the other cores at 64 cores waited ~18k cycles per lookup on the clock hand and
// ~25k on LLFree's words (bufmgr uniform-w20/kernel-api, scripts/line-regions.ts). Both now
// yield: between sweep rounds and before each framesFree (one system call each).
import type { Program } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { lookups, makePool } from './suite.js';

/** Forwards a program's yields, counting them. */
function counted(program: Program, count: { yields: number }): Program {
  return (function* () {
    let next = program.next();
    while (!next.done) {
      count.yields++;
      next = program.next(yield next.value);
    }
  })();
}

describe('eviction interleaving', () => {
  it('yields between clock sweep rounds and before every framesFree', () => {
    const { system, pool } = makePool('osv-superblock', 'kernel-api', 1); // batches of 16
    const count = { yields: 0 };
    const sweeps: number[] = [];
    const frees: number[] = [];
    const { resident } = pool;
    const sweep = resident.sweep.bind(resident);
    resident.sweep = (slots, visit) => {
      sweeps.push(count.yields);
      sweep(slots, visit);
    };
    const { kernel } = system;
    const framesFree = kernel.framesFree.bind(kernel);
    kernel.framesFree = (core, address, order) => {
      frees.push(count.yields);
      return framesFree(core, address, order);
    };
    const program = lookups({ system, pool }, 'scan', 400);
    system.machine.run((core) => counted(program(core), count));

    // The scan evicts in batches of 16, and its first evictions sweep more than one round (the
    // first round only marks): both kinds of steps happened more than once per eviction.
    expect(frees.length).toBeGreaterThan(2 * 16);
    expect(sweeps.length).toBeGreaterThan(frees.length / 16);
    for (const calls of [sweeps, frees]) {
      for (let i = 1; i < calls.length; i++) expect(calls[i]).toBeGreaterThan(calls[i - 1]);
    }
  });
});
