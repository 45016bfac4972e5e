// The core-local VM allocator of the thesis' OSv fork (docs/reference/osv.md §2, `superblock_manager`): the
// superblock area is cut into 1 GiB superblocks that cores claim lock-free from the owner table;
// each core reserves address space first-fit from the free ranges of the superblocks it owns,
// under its own bucket's lock, and everything outside the area belongs to the outside bucket.
// Frees from any core go back to the OWNER's free ranges (no remote-free queue), so only the
// owner reuses its space.
//
// Invariants: every free byte of an owned superblock is in exactly its owner's free ranges and
// nowhere else; a superblock in the global pool has no free ranges anywhere; a call that returns
// an error has changed nothing. Three fixes over OSv: a failed multi-superblock claim releases
// its reserved markers too (owner-table.ts); reservations above 1 GiB also try the core's own
// free ranges first, so freed superblocks are reused instead of leaking; and
// `returnFreeSuperblocks` gives a fully free superblock back to the global pool.

import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  isCoreIndex,
  isPageAlign,
  Ok,
  type RwLock,
  type VmAllocator,
  type Vma,
  type VmaIndex,
} from '@unimem/core';
import { type LineTracer, NativeWords, nullTracer } from '@unimem/hw';
import {
  MAX_CORES,
  NODE_BYTES,
  SUPERBLOCK_BYTES,
  type SuperblockOptions,
  type SuperblockStats,
  Unowned,
} from './api.js';
import { Area } from './area.js';
import { Bucket } from './bucket.js';
import { Entry, OwnerTable } from './owner-table.js';

const NO_BUCKET = -1;

export class SuperblockAllocator<V extends Vma = Vma> implements VmAllocator<V> {
  readonly name = 'superblock';
  readonly cores: number;
  readonly area: Area;
  readonly returnFreeSuperblocks: boolean;
  private readonly owners: OwnerTable;
  /** Core buckets 0..cores-1, then the outside bucket at index `cores`. */
  private readonly buckets: Bucket<V>[];
  private readonly outside: Bucket<V>;
  /** Scratch list of superblocks a validate call has reserved (one per area superblock). */
  private readonly claimed: Int32Array;

  constructor(options: SuperblockOptions<V>) {
    const { cores, lock, index } = options;
    if (!Number.isInteger(cores) || cores < 1 || cores > MAX_CORES) {
      throw new RangeError(`cores ${cores} is not an integer in 1..${MAX_CORES}`);
    }
    if (typeof lock !== 'function') throw new RangeError(`lock ${lock} is not a lock factory`);
    if (typeof index !== 'function') throw new RangeError(`index ${index} is not an index factory`);
    const tracer: LineTracer = options.tracer ?? nullTracer;
    this.cores = cores;
    this.area = new Area(options.areaBase, options.areaEnd, options.addressLimit);
    this.returnFreeSuperblocks = options.returnFreeSuperblocks ?? false;
    this.owners = new OwnerTable(
      this.area.superblocks,
      options.words ?? ((buffer) => new NativeWords(buffer)),
    );
    const headers = tracer.allocLines(cores + 1, 'superblock.bucket');
    this.buckets = [];
    for (let b = 0; b <= cores; b++) {
      const name = b === cores ? 'outside' : String(b);
      this.buckets.push(new Bucket(name, lock, index, tracer, headers + b));
    }
    this.outside = this.buckets[cores];
    const { base, end, limit } = this.area;
    if (base > 0) this.outside.ranges.insert(0, base);
    if (limit > end) this.outside.ranges.insert(end, limit - end);
    this.claimed = new Int32Array(this.area.superblocks);
  }

  /**
   * Reserves `size` bytes (a positive multiple of 4 KiB) aligned to `align` (a power of two,
   * at least 4 KiB) for `core`: first fit in the core's own free ranges, carved from the end of
   * the range; when nothing fits, claims ceil(size / 1 GiB) contiguous superblocks and puts what
   * the range leaves of them into the core's free ranges. (OSv skips the first fit above 1 GiB,
   * so a core that maps and unmaps 2 GiB in a loop takes two fresh superblocks every time until
   * the area runs out.) Takes the core's free-ranges lock itself.
   * Returns the address, Errno.EINVAL for a bad argument, Errno.ENOMEM when no superblocks are
   * left.
   */
  reserveRange(core: number, size: number, align: number): AddressResult {
    if (!isCoreIndex(core, this.cores) || !this.area.validRange(0, size) || !isPageAlign(align)) {
      return Errno.EINVAL;
    }
    const bucket = this.buckets[core];
    const lock = bucket.freeRangesLock;
    lock.writeLock(core);
    const fit = bucket.ranges.takeFirstFit(size, align);
    lock.writeUnlock(core);
    if (fit >= 0) return fit;
    const n = Math.ceil(size / SUPERBLOCK_BYTES);
    const stride = align > SUPERBLOCK_BYTES ? align / SUPERBLOCK_BYTES : 1;
    const first = this.owners.claimRun(core, n, stride, this.area.baseIndex % stride);
    if (first < 0) return Errno.ENOMEM;
    bucket.superblocks += n;
    const runStart = this.area.address(first);
    const runEnd = runStart + n * SUPERBLOCK_BYTES;
    const addr = runEnd - size - ((runEnd - size) % align);
    if (addr > runStart || addr + size < runEnd) {
      lock.writeLock(core);
      if (addr > runStart) bucket.ranges.insert(runStart, addr - runStart);
      if (addr + size < runEnd) bucket.ranges.insert(addr + size, runEnd - addr - size);
      lock.writeUnlock(core);
    }
    return addr;
  }

  /**
   * Takes [addr, addr + size) out of its owner's free ranges (MAP_FIXED, after `validate`); the
   * caller holds `freeRangesLock(addr)` for write. Returns Ok; Errno.EINVAL for a bad argument or
   * a range not held by exactly one bucket (it crosses the area's edge, or touches superblocks of
   * two owners or of none: call `validate` first); Errno.ENOMEM when part of it is not free.
   */
  allocateRange(addr: number, size: number): ErrnoStatus {
    if (!this.area.validRange(addr, size)) return Errno.EINVAL;
    const b = this.bucketOfRange(addr, addr + size);
    if (b === NO_BUCKET) return Errno.EINVAL;
    return this.buckets[b].ranges.remove(addr, size) ? Ok : Errno.ENOMEM;
  }

  /**
   * Gives [addr, addr + size) back to its OWNER's free ranges, from any core, coalescing with
   * its neighbours; the caller holds `freeRangesLock(addr)` for write. Returns Ok, or
   * Errno.EINVAL for a bad argument, a range not held by exactly one bucket, or a range
   * overlapping free space (a double free). With `returnFreeSuperblocks`, superblocks this leaves
   * entirely free go back to the global pool.
   */
  freeRange(addr: number, size: number): ErrnoStatus {
    if (!this.area.validRange(addr, size)) return Errno.EINVAL;
    const end = addr + size;
    const b = this.bucketOfRange(addr, end);
    if (b === NO_BUCKET) return Errno.EINVAL;
    const bucket = this.buckets[b];
    if (!bucket.ranges.insert(addr, size)) return Errno.EINVAL;
    if (this.returnFreeSuperblocks && b !== this.cores) this.releaseFree(b, addr, end);
    return Ok;
  }

  /**
   * MAP_FIXED rules (OSv `validate_map_fixed`): true when [addr, addr + size) lies entirely
   * outside the area, or touches only superblocks that are free or owned by one core. Free ones
   * are claimed for that core (for `core` when all are free) and their whole 1 GiB enters its
   * free ranges, under its free-ranges lock, which this takes itself. False for a bad argument,
   * a range crossing the area's edge, two owners, or a claim in progress; nothing changes then.
   */
  validate(core: number, addr: number, size: number): boolean {
    if (!isCoreIndex(core, this.cores) || !this.area.validRange(addr, size)) return false;
    const end = addr + size;
    if (this.area.outside(addr, end)) return true;
    if (!this.area.within(addr, end)) return false;
    const first = this.area.index(addr);
    const last = this.area.index(end - 1);
    const owner = this.soleOwner(first, last, core);
    if (owner === NO_BUCKET) return false;
    const claimed = this.reserveFree(first, last, owner);
    if (claimed < 0) return false;
    if (claimed === 0) return true;
    const bucket = this.buckets[owner];
    bucket.freeRangesLock.writeLock(core);
    for (let m = 0; m < claimed; m++) {
      const k = this.claimed[m];
      this.owners.setOwner(k, 1, owner);
      bucket.ranges.insert(this.area.address(k), SUPERBLOCK_BYTES);
    }
    bucket.freeRangesLock.writeUnlock(core);
    bucket.superblocks += claimed;
    return true;
  }

  /** The VMA lock of the bucket owning `addr` (the outside bucket's for unowned addresses). */
  vmaLock(addr: number): RwLock {
    return this.bucketOf(addr).vmaLock;
  }

  /** The free-ranges lock of the bucket owning `addr` (the outside bucket's for unowned ones). */
  freeRangesLock(addr: number): RwLock {
    return this.bucketOf(addr).freeRangesLock;
  }

  /** The VMA index of the bucket owning `addr` (the outside bucket's for unowned ones). */
  vmas(addr: number): VmaIndex<V> {
    return this.bucketOf(addr).vmas;
  }

  /**
   * The owner of `addr`: a core, `cores` for the outside bucket (everything outside the area),
   * Unowned.FREE or Unowned.RESERVED for an area superblock no core owns. O(1).
   */
  ownerOf(addr: number): number {
    if (!this.area.inside(addr)) return this.cores;
    const entry = this.owners.entry(this.area.index(addr));
    if (Entry.isOwned(entry)) return Entry.core(entry);
    return entry === Entry.FREE ? Unowned.FREE : Unowned.RESERVED;
  }

  /**
   * The first address above `addr` at which the owner may change: the end of addr's superblock
   * inside the area, areaBase below it, addressLimit above it. A caller whose range may span
   * owners (munmap, mprotect over several mappings) walks it region by region, taking each
   * region's vmaLock; OSv instead asserts that a range has one owner.
   */
  regionEnd(addr: number): number {
    const { base, end, limit } = this.area;
    if (addr < base) return base;
    if (addr >= end) return limit;
    return this.area.address(this.area.index(addr) + 1);
  }

  /** All free address space in bytes: every bucket's free ranges plus unclaimed superblocks. */
  freeBytes(): number {
    let bytes = this.owners.countUnowned()[0] * SUPERBLOCK_BYTES;
    for (const bucket of this.buckets) bytes += bucket.ranges.freeBytes;
    return bytes;
  }

  /** Free ranges of bucket `bucket` (a core, or `cores` for outside) as [start, end) pairs. */
  freeRanges(bucket: number): Array<[number, number]> {
    return this.buckets[bucket].ranges.toArray();
  }

  /** Bytes of the owner table, the bucket headers and the free-range nodes. */
  metadataBytes(): number {
    let nodes = 0;
    for (const bucket of this.buckets) nodes += bucket.ranges.size;
    const table = OwnerTable.bytesFor(this.area.superblocks);
    return table + (this.cores + 1 + nodes) * NODE_BYTES;
  }

  stats(): SuperblockStats {
    const [free] = this.owners.countUnowned();
    return {
      superblocks: this.area.superblocks,
      freeSuperblocks: free,
      ownedSuperblocks: this.buckets.slice(0, this.cores).map((b) => b.superblocks),
      freeBytes: this.buckets.map((b) => b.ranges.freeBytes),
      freeRanges: this.buckets.map((b) => b.ranges.size),
      metadataBytes: this.metadataBytes(),
    };
  }

  private bucketOf(addr: number): Bucket<V> {
    if (!this.area.inside(addr)) return this.outside;
    const entry = this.owners.entry(this.area.index(addr));
    return Entry.isOwned(entry) ? this.buckets[Entry.core(entry)] : this.outside;
  }

  /** The one bucket holding all of [addr, end), or NO_BUCKET. */
  private bucketOfRange(addr: number, end: number): number {
    if (this.area.outside(addr, end)) return this.cores;
    if (!this.area.within(addr, end)) return NO_BUCKET;
    const first = this.area.index(addr);
    const entry = this.owners.entry(first);
    if (!Entry.isOwned(entry)) return NO_BUCKET;
    const last = this.area.index(end - 1);
    for (let k = first + 1; k <= last; k++) {
      if (this.owners.entry(k) !== entry) return NO_BUCKET;
    }
    return Entry.core(entry);
  }

  /** The single owner of superblocks [first, last] (`core` if all free), or NO_BUCKET. */
  private soleOwner(first: number, last: number, core: number): number {
    let owner = NO_BUCKET;
    for (let k = first; k <= last; k++) {
      const entry = this.owners.entry(k);
      if (entry === Entry.FREE) continue;
      if (entry === Entry.RESERVED) return NO_BUCKET;
      const c = Entry.core(entry);
      if (owner === NO_BUCKET) owner = c;
      else if (owner !== c) return NO_BUCKET;
    }
    return owner === NO_BUCKET ? core : owner;
  }

  /**
   * Reserves every free superblock of [first, last] (listing them in `claimed`) while checking
   * that the others still belong to `owner`. Returns how many it reserved, or -1 after putting
   * back all it reserved when some entry changed underneath.
   */
  private reserveFree(first: number, last: number, owner: number): number {
    const owned = Entry.owned(owner);
    let claimed = 0;
    for (let k = first; k <= last; k++) {
      if (this.owners.cas(k, Entry.FREE, Entry.RESERVED)) {
        this.claimed[claimed++] = k;
      } else if (this.owners.entry(k) !== owned) {
        for (let m = 0; m < claimed; m++)
          this.owners.cas(this.claimed[m], Entry.RESERVED, Entry.FREE);
        return -1;
      }
    }
    return claimed;
  }

  /** Gives superblocks of [addr, end) that are now entirely free back to the global pool. */
  private releaseFree(core: number, addr: number, end: number): void {
    const bucket = this.buckets[core];
    const last = this.area.index(end - 1);
    for (let k = this.area.index(addr); k <= last; k++) {
      const start = this.area.address(k);
      if (!bucket.ranges.covers(start, SUPERBLOCK_BYTES)) continue;
      bucket.ranges.remove(start, SUPERBLOCK_BYTES);
      this.owners.release(k, core);
      bucket.superblocks--;
    }
  }
}
