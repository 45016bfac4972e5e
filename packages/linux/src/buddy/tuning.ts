// Linux 6.0's boot-time tuning of the page allocator, as pure functions of the zone size and
// the CPU count: the pcp batch and high marks, the watermarks they derive from, and the vmstat
// fold threshold. They describe the modelled machine (its memory and CPUs), not the frames a
// benchmark happens to touch, so a small simulated allocator can carry a big machine's tuning.

import type { Profile } from '@unimem/hw';

/** Page-allocator tuning of one zone, in pages unless named otherwise. */
export interface LinuxTuning {
  /** Pages the zone manages. */
  managedFrames: number;
  /** CPUs sharing the zone (cpus of its node). */
  cpus: number;
  /** min_free_kbytes = int_sqrt(lowmem_kbytes * 16), clamped to 128..262144. */
  minFreeKbytes: number;
  /** WMARK_MIN and WMARK_LOW of the zone. */
  minWmark: number;
  lowWmark: number;
  /** zone_batchsize(): pages per pcp refill or drain. */
  batch: number;
  /** zone_highsize(): pcp->high, at least 4 * batch. */
  high: number;
  /** calculate_normal_threshold(): per-CPU vmstat drift before a fold into the zone counter. */
  statThreshold: number;
}

const PAGE_KIB = 4;
/** watermark_scale_factor default (0.1 % of the zone). */
const WATERMARK_SCALE_FACTOR = 10;

/** Index of the highest set bit, 1-based; fls(0) = 0 (include/asm-generic/bitops/fls.h). */
export function fls(x: number): number {
  return x <= 0 ? 0 : Math.floor(Math.log2(x)) + 1;
}

function roundDownPowerOfTwo(x: number): number {
  return 2 ** Math.floor(Math.log2(x));
}

/** mm/page_alloc.c zone_batchsize(): min(managed / 1024, 256) / 4, rounded to 2^n - 1. */
export function zoneBatchsize(managedFrames: number): number {
  let batch = Math.min(Math.floor(managedFrames / 1024), (1 << 20) / 4096);
  batch = Math.max(1, Math.floor(batch / 4));
  return roundDownPowerOfTwo(batch + Math.floor(batch / 2)) - 1;
}

/**
 * Linux 6.0's tuning of a single-zone node of `managedFrames` pages and `cpus` CPUs:
 * init_per_zone_wmark_min(), __setup_per_zone_wmarks(), zone_batchsize(), zone_highsize()
 * (percpu_pagelist_high_fraction = 0: high = low watermark / CPUs, at least 4 * batch) and
 * calculate_normal_threshold(). Throws a RangeError naming a bad argument.
 */
export function linuxTuning(managedFrames: number, cpus: number): LinuxTuning {
  if (!Number.isSafeInteger(managedFrames) || managedFrames < 1) {
    throw new RangeError(`managedFrames ${managedFrames} must be a positive integer`);
  }
  if (!Number.isSafeInteger(cpus) || cpus < 1) {
    throw new RangeError(`cpus ${cpus} must be a positive integer`);
  }
  const lowmemKbytes = managedFrames * PAGE_KIB;
  const minFreeKbytes = Math.min(262144, Math.max(128, Math.floor(Math.sqrt(lowmemKbytes * 16))));
  const minWmark = Math.floor(minFreeKbytes / PAGE_KIB);
  const lowWmark =
    minWmark +
    Math.max(minWmark >> 2, Math.floor((managedFrames * WATERMARK_SCALE_FACTOR) / 10000));
  const batch = zoneBatchsize(managedFrames);
  const high = Math.max(Math.floor(lowWmark / cpus), batch << 2);
  const memUnits = Math.floor(managedFrames / 32768); // 128 MiB units
  const statThreshold = Math.min(125, 2 * fls(cpus) * (1 + fls(memUnits)));
  return { managedFrames, cpus, minFreeKbytes, minWmark, lowWmark, batch, high, statThreshold };
}

/** The tuning Linux would pick on a profile's machine: all its memory in one zone, all its CPUs. */
export function profileTuning(profile: Profile): LinuxTuning {
  return linuxTuning(Math.floor(profile.memoryBytes.value / 4096), profile.cores.value);
}
