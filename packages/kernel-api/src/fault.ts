// A memory access and the page fault behind it (OSv `vm_fault`). `touch` translates through the
// core's TLB (a miss walks the page table and fills the TLB, charged by the hw model); an access
// the translation does not permit — absent, PROT_NONE, or a write to a read-only page — raises a
// fault: faultEntry, vmaLock(addr) for read, the VMA lookup, the protection check, and the
// populate of the page; then the access is retried, which walks again and fills the TLB.
//
// Outcomes are values: Ok; Errno.EFAULT when no VMA covers the address (the SIGSEGV of a real
// system); Errno.EACCES when the VMA forbids the access; Errno.ENOMEM when no frame is left even
// after reclaiming MADV_FREE pages (OSv aborts with "Out of memory"; Linux would OOM-kill).
// PROT_NONE pages that are populated keep their frame with the software bit PTE_NO_ACCESS: the
// TLB model does not check permissions, so touch checks the translation word as the MMU would.

import { Errno, type ErrnoStatus, Ok, Prot } from '@unimem/core';
import { NO_TRANSLATION, PteFlag, VA_LIMIT } from '@unimem/hw';
import type { MemoryContext } from './context.js';
import { type PopulateParts, PTE_NO_ACCESS, populatePage } from './populate.js';
import { Residency } from './residency.js';

/** What a fault uses: populating, plus the TLBs, the VMA locks and indexes. */
export type FaultParts = PopulateParts & Pick<MemoryContext, 'tlb' | 'vm' | 'index'>;

/** Accesses one byte at `addr` from `core`. The caller bound `core` (CoreHandle.bind). */
export function touch(ctx: FaultParts, core: number, addr: number, write: boolean): ErrnoStatus {
  if (!(Number.isSafeInteger(addr) && addr >= 0 && addr < VA_LIMIT)) return Errno.EFAULT;
  const { tlb, pageTable } = ctx;
  if (permits(tlb.translate(core, addr, pageTable, write), write)) return Ok;
  const status = fault(ctx, core, addr, write);
  if (status !== Ok) return status;
  return permits(tlb.translate(core, addr, pageTable, write), write) ? Ok : Errno.EACCES;
}

/** The page-fault handler. Returns Ok when the page is now mapped (or already was). */
export function fault(ctx: FaultParts, core: number, addr: number, write: boolean): ErrnoStatus {
  const { machine, vm } = ctx;
  machine.charge(machine.costs.faultEntry, core);
  ctx.count(core, ctx.counters.faults);
  const lock = vm.vmaLock(addr);
  lock.readLock(core);
  const vma = ctx.index(addr).find(addr);
  let status: ErrnoStatus;
  if (vma === undefined) status = Errno.EFAULT;
  else if (!allowed(vma.prot, write)) status = Errno.EACCES;
  else {
    const key = Residency.key(addr);
    const wasHuge = ctx.residency.isHuge(key);
    status = populatePage(ctx, core, vma, addr);
    if (status === Ok && !wasHuge && ctx.residency.isHuge(key)) {
      ctx.count(core, ctx.counters.hugeFaults);
    }
  }
  lock.readUnlock(core);
  return status;
}

/** Whether a VMA protection allows the access (any protection but NONE is readable on x86). */
export function allowed(prot: number, write: boolean): boolean {
  return write ? (prot & Prot.WRITE) !== 0 : prot !== Prot.NONE;
}

/** Whether a translation word permits the access. */
function permits(word: number, write: boolean): boolean {
  if (word === NO_TRANSLATION || (word & PTE_NO_ACCESS) !== 0) return false;
  return !write || (word & PteFlag.Writable) !== 0;
}
