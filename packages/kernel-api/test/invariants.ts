// Whole-state checks of a booted UnikernelMemory, used after every step of the property tests:
// VMAs never overlap; every page the kernel mapped lies in a VMA with the VMA's protection, is
// recorded as populated and is backed by a frame that nobody else owns and the allocator does not
// consider free; and every frame is accounted for — free, mapped, in a split huge block, a
// page-table page (in use, or freed and waiting for a flush) or a deposit — so nothing leaks.
// The parts are read through bootedParts, which only this package's tests can import.

import { HUGE_ORDER } from '@unimem/core';
import { FrameOwnership } from '@unimem/core/testing';
import { PageSize, PteFlag } from '@unimem/hw';
import { expect } from 'vitest';
import {
  type KernelVma,
  LINEAR_BASE,
  PTE_NO_ACCESS,
  pteFlagsOf,
  type UnikernelMemory,
} from '../src/index.js';
import { bootedParts } from '../src/unikernel-memory.js';

const PERMISSIONS = PteFlag.Writable | PTE_NO_ACCESS;

/** All VMAs of all indexes, sorted by start. */
export function allVmas(system: UnikernelMemory): KernelVma[] {
  const out: KernelVma[] = [];
  for (const index of bootedParts(system).indexes) for (const vma of index) out.push(vma);
  return out.sort((a, b) => a.start - b.start);
}

export function checkInvariants(system: UnikernelMemory): void {
  const ctx = bootedParts(system);
  const { frames, pageTable, residency, huge } = ctx;
  const vmas = allVmas(system);
  for (let i = 1; i < vmas.length; i++) {
    if (vmas[i - 1].end > vmas[i].start)
      expect.fail(`VMAs overlap at 0x${vmas[i].start.toString(16)}`);
  }
  const owner = new FrameOwnership(frames.totalFrames());
  const vmaOf = (va: number): KernelVma | undefined => {
    let low = 0;
    let high = vmas.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (vmas[mid].end <= va) low = mid + 1;
      else if (vmas[mid].start > va) high = mid - 1;
      else return vmas[mid];
    }
    return undefined;
  };
  const pieceBlocks = new Set(huge.splitFrames());
  let dataFrames = 0;
  let userBytes = 0;
  for (const leaf of pageTable.mappings()) {
    if (leaf.va >= LINEAR_BASE && leaf.va < LINEAR_BASE + ctx.linearBytes) continue;
    const vma = vmaOf(leaf.va);
    if (vma === undefined) expect.fail(`page 0x${leaf.va.toString(16)} is mapped outside any VMA`);
    const at = `0x${leaf.va.toString(16)}`;
    if ((leaf.flags & PERMISSIONS) !== (pteFlagsOf(vma.prot) & PERMISSIONS)) {
      expect.fail(`page ${at} has flags ${leaf.flags}, its VMA protection ${vma.prot}`);
    }
    if (!residency.has(leaf.va)) expect.fail(`page ${at} is mapped but not recorded as populated`);
    userBytes += leaf.size;
    if (leaf.size === PageSize.Size2M) {
      owner.claim(leaf.frame, HUGE_ORDER);
      dataFrames += 2 ** HUGE_ORDER;
    } else {
      owner.claim(leaf.frame, 0);
      const block = leaf.frame - (leaf.frame % 2 ** HUGE_ORDER);
      if (!pieceBlocks.has(block)) dataFrames++;
    }
    if (frames.isFree(leaf.frame, 0))
      expect.fail(`frame ${leaf.frame} of ${at} is mapped but free`);
  }
  expect(residency.bytes).toBe(userBytes);
  for (const frame of huge.depositedFrames()) owner.claim(frame, 0);
  dataFrames += pieceBlocks.size * 2 ** HUGE_ORDER;
  const accounted =
    frames.freeFrames() +
    dataFrames +
    pageTable.tablePages() +
    huge.depositCount +
    ctx.tableFrees.pending;
  expect(accounted, 'free + mapped + split + tables + deposits = total').toBe(frames.totalFrames());
}
