// Built-in machine profiles: plain data, every figure with its source. Nanosecond figures from
// docs/reference/costs.md are converted to cycles at the profile's clock (cycles = ns × GHz). Figures
// marked [E] are estimates, [M] measured or published, [C] read from source code.

import type { Profile } from './api.js';

const COSTS = 'docs/reference/costs.md';
const LLFREE = 'docs/reference/llfree.md';

/** The thesis host: AMD EPYC 9654P (Zen 4, Genoa) as a KVM guest, 96 vCPUs, 60 GiB. */
export const epyc9654pGuest: Profile = {
  name: 'epyc-9654p-guest',
  description:
    'AMD EPYC 9654P (Zen 4) KVM guest: 96 vCPUs in 12 CCDs of 8, 2.4 GHz TSC, 60 GiB, no AVIC',
  cores: { value: 96, source: 'thesis host configuration (docs/design.md, hardware model)' },
  coresPerCcd: { value: 8, source: `${COSTS} §1: L3 32 MiB/CCD, 8 cores [M]` },
  frequencyGhz: { value: 2.4, source: 'EPYC 9654P base clock / guest TSC (docs/design.md) [M]' },
  memoryBytes: { value: 60 * 2 ** 30, source: 'thesis guest memory (docs/design.md)' },
  privateCacheLines: { value: 16384, source: `${COSTS} §1: L2 1 MiB per core = 16384 lines [M]` },
  tlbL1Entries: { value: 72, source: `${COSTS} §1: L1 DTLB 72 entries [E, unverified]` },
  tlbL2Entries: { value: 3072, source: `${COSTS} §1: L2 DTLB 3072 entries [E, unverified]` },
  dramBandwidthMBps: {
    value: 378_000,
    source:
      'Micron DDR5 + 4th Gen EPYC press release (Nov 2022): STREAM 378 GB/s per socket, 12 x DDR5-4800 [M]',
  },
  coreStreamMBps: {
    value: 23_580,
    source: `${COSTS} §1: Linux commit 9890ecab6ad9, one Genoa core clearing 2 MiB pages in address order at faults: 23.58 GB/s [M]`,
  },
  l3BytesPerCcd: { value: 32 * 2 ** 20, source: `${COSTS} §1: L3 32 MiB per CCD of 8 cores [M]` },
  costs: {
    l1Hit: { value: 4, source: `${COSTS} §1: L1D hit 4 cycles [M]` },
    l2Hit: { value: 14, source: `${COSTS} §1: L2 hit 14 cycles [M]` },
    l3Hit: { value: 50, source: `${COSTS} §1: L3 hit ~50 cycles [M]` },
    dram: { value: 288, source: `${COSTS} §1: DRAM 110-125 ns, 120 ns x 2.4 GHz [E]` },
    lineSameCcd: {
      value: 43,
      source: `${COSTS} §1: core-to-core same CCD 15-21 ns (Zen 4 7950X), 18 ns x 2.4 [M]`,
    },
    lineCrossCcd: {
      value: 264,
      source: `${COSTS} §1: cross-CCD on EPYC IOD ~110 ns for Genoa, x 2.4 [E]`,
    },
    atomicRmw: { value: 15, source: `${COSTS} §1: uncontended LOCK CMPXCHG 8-20 cycles [E]` },
    syscall: {
      value: 240,
      source:
        'estimate: ~100 ns syscall entry+exit without KPTI (not in docs/reference/costs.md) [E]',
    },
    faultEntry: {
      value: 960,
      source: `${COSTS} §4: unikernel fault 0.3-0.6 us plus zeroing; 0.4 us x 2.4 [E]`,
    },
    zeroPage: {
      value: 775,
      source: `${COSTS} §1: Genoa clears one 4 KiB page at a time at 11.79 GB/s = 323 ns (Linux commit 9890ecab6ad9; Milan's clear_page: 299 ns); 323 ns x 2.4 [M]`,
    },
    zeroHugePage: {
      value: 213_400,
      source: `${COSTS} §1: Genoa clears 2 MiB in address order at 23.58 GB/s = 88.9 us (Linux commit 9890ecab6ad9); x 2.4 [M]`,
    },
    zeroHugePageByPages: {
      value: 426_900,
      source: `${COSTS} §1: Genoa clears 2 MiB in process_huge_page's order at 11.79 GB/s = 177.9 us (Linux commit 9890ecab6ad9); x 2.4 [M]`,
    },
    pageWalkRef: {
      value: 60,
      source: `${COSTS} §1: one L2/L3 access per level, x2 for the guest's 2D walk [E]`,
    },
    invlpg: { value: 240, source: `${COSTS} §1: INVLPG ~100 ns (Linux tlb.c comment) [M, old hw]` },
    tlbFlushFull: { value: 480, source: 'estimate: CR3 reload ~200 ns without refills [E]' },
    ipiSend: {
      value: 3600,
      source: `${COSTS} §1: guest IPI without AVIC: sender VM exit on ICR write, ~1.5 us [E]`,
    },
    ipiLatency: {
      value: 4800,
      source: `${COSTS} §1: guest IPI 2-5 us until the target runs its handler; 2 us [E]`,
    },
    ipiHandle: {
      value: 4800,
      source: `${COSTS} §1: target exit + injection + handler + ack, 1-2 us; 2 us [E]`,
    },
    vmExit: {
      value: 3600,
      source: `${COSTS} §1: VM exit round trip 1000-2000 cycles at 3.5 GHz, ~1.5 us [E]`,
    },
    pvIpiHypercall: {
      value: 3600,
      source: 'KVM_HC_SEND_IPI (Linux arch/x86/kernel/kvm.c): one VMMCALL exit, as vmExit [E]',
    },
    pvIpiTarget: {
      value: 720,
      source: `host kvm_pv_send_ipi delivers to each target: ~ a native ICR write, 0.3 us (${COSTS} §1) [E]`,
    },
    spinPause: {
      value: 64,
      source: 'Zen PAUSE: tens of cycles, plus an L1 load (packages/hw/docs/locks.md) [E]',
    },
    threadWakeup: {
      value: 7200,
      source: 'futex wake on an idle vCPU: guest IPI 2 us + scheduler ~1 us (hw docs/locks.md) [E]',
    },
  },
};

/** The LLFree paper's machine: one socket of an Intel Xeon Gold 5320, bare metal. */
export const xeonGold5320: Profile = {
  name: 'xeon-gold-5320',
  description: 'Intel Xeon Gold 5320 (Ice Lake SP), one socket: 26 cores, 2.2 GHz, bare metal',
  cores: {
    value: 26,
    source: `${LLFREE} §5: 2x Xeon Gold 5320 (26 cores each), one node used [M]`,
  },
  coresPerCcd: { value: 26, source: 'monolithic die: one L3 shared by the socket [M]' },
  frequencyGhz: { value: 2.2, source: `${LLFREE} §5: 2.2 GHz [M]` },
  memoryBytes: { value: 192 * 2 ** 30, source: 'estimate: memory of one NUMA node [E]' },
  privateCacheLines: { value: 20480, source: 'Ice Lake SP L2 1.25 MiB per core [M, vendor]' },
  tlbL1Entries: { value: 64, source: 'Ice Lake L1 DTLB 64 entries (4 KiB) [E]' },
  tlbL2Entries: { value: 2048, source: 'Ice Lake STLB 2048 entries [E]' },
  dramBandwidthMBps: {
    value: 154_000,
    source:
      '8 x DDR4-2933 = 187.7 GB/s peak x 0.82 (STREAM/peak of Genoa, 378/460.8, Micron Nov 2022) [E]',
  },
  coreStreamMBps: {
    value: 34_953,
    source:
      'zeroHugePage: 2 MiB in 60 us = 35.0 GB/s one core (docs/reference/costs.md §1: 20-50 GB/s) [E]',
  },
  l3BytesPerCcd: {
    value: 39 * 2 ** 20,
    source:
      'Xeon Gold 5320: 39 MiB L3 shared by the 26 cores of the socket (Intel ark) [M, vendor]',
  },
  costs: {
    l1Hit: { value: 5, source: 'Ice Lake L1D 5 cycles [E]' },
    l2Hit: { value: 14, source: 'Ice Lake L2 14 cycles [E]' },
    l3Hit: { value: 80, source: 'Ice Lake SP mesh L3 ~ 36 ns x 2.2 [E]' },
    dram: { value: 200, source: 'Ice Lake SP local DRAM ~90 ns x 2.2 [E]' },
    lineSameCcd: { value: 110, source: 'Ice Lake SP core-to-core over the mesh ~50 ns x 2.2 [E]' },
    lineCrossCcd: { value: 110, source: 'no second cache domain in one socket: same as mesh [E]' },
    atomicRmw: {
      value: 18,
      source: `${COSTS} §1: LOCK CMPXCHG ~19 cycles on Intel (uops.info) [M]`,
    },
    syscall: { value: 220, source: 'estimate: ~100 ns syscall entry+exit [E]' },
    faultEntry: {
      value: 660,
      source: `${COSTS} §2: minor fault ~1 us incl. handler; entry 0.3 us [E]`,
    },
    zeroPage: { value: 220, source: `${COSTS} §1: zero 4 KiB 30-250 ns; 100 ns x 2.2 [E]` },
    zeroHugePage: { value: 132000, source: `${COSTS} §1: zero 2 MiB 40-100 us; 60 us x 2.2 [E]` },
    zeroHugePageByPages: {
      value: 132000,
      source:
        'as zeroHugePage: Linux commit 9890ecab6ad9 measured no effect of the clearing order on Ice Lake (Icelakex) [M, no rate published]',
    },
    pageWalkRef: { value: 30, source: `${COSTS} §1: one L2/L3 access per level, native [E]` },
    invlpg: { value: 220, source: `${COSTS} §1: INVLPG ~100 ns [M, old hw]` },
    tlbFlushFull: { value: 440, source: 'estimate: CR3 reload ~200 ns without refills [E]' },
    ipiSend: { value: 660, source: `${COSTS} §1: native IPI send (ICR write) ~0.3 us [E]` },
    ipiLatency: { value: 2200, source: `${COSTS} §1: native IPI one-way 1-2 us; 1 us [E]` },
    ipiHandle: { value: 2200, source: `${COSTS} §1: target pays ~1-2 us per shootdown; 1 us [E]` },
    vmExit: { value: 0, source: 'bare metal: no VM exits' },
    pvIpiHypercall: { value: 0, source: 'bare metal: no hypercalls (kvm_para_available() false)' },
    pvIpiTarget: { value: 0, source: 'bare metal: no hypercalls' },
    spinPause: {
      value: 140,
      source:
        'Intel optimization manual: PAUSE ~140 cycles since Skylake SP (hw docs/locks.md) [M]',
    },
    threadWakeup: {
      value: 4400,
      source: 'futex wake of a thread on an idle core, ~2 us bare metal (hw docs/locks.md) [E]',
    },
  },
};

export const builtinProfiles: readonly Profile[] = [epyc9654pGuest, xeonGold5320];

/** The default profile of every run. */
export const defaultProfile = epyc9654pGuest;
