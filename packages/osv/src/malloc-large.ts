// OSv's malloc_large and mapped_malloc_large (core/mempool.cc; docs/reference/osv.md §4, §6): blocks
// above one page. With malloc's alignment of 16 the block starts with a page_range header
// (size, set hook, list hook: 56 bytes [E: not checked against 9c65058f], aligned up to 16: the
// pointer is 64 bytes into the block) and the size is rounded up to pages, so a request of n
// pages takes n + 1 pages.
// - Upstream (page_range_allocator): blocks under 2 MiB come from free_page_ranges.alloc under
//   free_page_ranges_lock (PageRangeAllocator.getPages: exact pages, any alignment); 2 MiB and
//   more, or when the page ranges cannot serve it (malloc asks for non-contiguous memory), go to
//   mapped_malloc_large: map_anon(populate) with the same header in its first page (written
//   through the mapping), freed by munmap — the vma lock, unpopulate and flush_tlb_all.
// - The thesis' LLFree build (`powerOfTwo`): the pages, header included, are rounded up to an
//   LLFree block of power-of-two order (alloc_huge_page), up to the allocator's largest order
//   (4 MiB); larger requests map anonymous populated memory without a header.
// Lines: the header line (the block's first line) is written at allocation in the LLFree build
// (the page-range allocator writes it itself) and read at free; a mapped block's header is a
// touch of its first page. The block table is the model's bookkeeping and is never charged.

import {
  type AddressResult,
  alignUp,
  Errno,
  type ErrnoStatus,
  type FrameResult,
  HUGE_SIZE,
  MapFlags,
  type MemorySystem,
  Ok,
  PAGE_SIZE,
  Prot,
  type Status,
} from '@unimem/core';
import type { Machine } from '@unimem/hw';
import type { UnikernelKernelApi } from '@unimem/kernel-api';
import { FrameLine, type FrameLines, frameLines } from './frame-lines.js';

/** Bytes from a block's start to the pointer malloc returns (align_up(sizeof(page_range), 16)). */
export const LARGE_OFFSET = 64;
/** Largest block malloc_large maps (beyond it no address space can hold it). */
const MAX_BYTES = 2 ** 47;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS | MapFlags.POPULATE;
const RW = Prot.READ | Prot.WRITE;

/** Any page count from the page-range allocator (PageRangeAllocator.getPages/putPages). */
export interface PageRunSource {
  getPages(core: number, pages: number): FrameResult;
  putPages(core: number, frame: number, pages: number): Status;
}

const Kind = { Ranges: 0, Block: 1, Mapped: 2 } as const;

interface LargeBlock {
  kind: number;
  /** Start of the block (linear-map or mapped address). */
  base: number;
  /** Pages (Ranges), order (Block) or mapped bytes (Mapped). */
  amount: number;
  /** Bytes from base to the pointer. */
  offset: number;
  usable: number;
}

export interface LargeBlocksOptions {
  machine: Machine;
  kernel: UnikernelKernelApi;
  /** Where map_anon and munmap go. */
  mapper: MemorySystem;
  /** The page ranges (upstream); null in the LLFree build. */
  pageRanges: PageRunSource | null;
  /** The thesis' LLFree build: power-of-two blocks from the frame allocator. */
  powerOfTwo: boolean;
  /** Largest order of the frame allocator (the LLFree build's largest block). */
  maxOrder: number;
}

export class LargeBlocks {
  /** Blocks from the page ranges or the frame allocator / mapped, since construction. */
  largeAllocs = 0;
  mappedAllocs = 0;
  private readonly blocks = new Map<number, LargeBlock>();
  private readonly frameLines: FrameLines;

  constructor(private readonly options: LargeBlocksOptions) {
    this.frameLines = frameLines(options.machine);
  }

  /** Live blocks. */
  get count(): number {
    return this.blocks.size;
  }

  /** malloc_large(size) for size > one page: the pointer, or Errno.ENOMEM. */
  alloc(core: number, size: number): AddressResult {
    const bytes = alignUp(size + LARGE_OFFSET, PAGE_SIZE);
    if (!Number.isSafeInteger(bytes) || bytes > MAX_BYTES) return Errno.ENOMEM;
    const { kernel, pageRanges, powerOfTwo, maxOrder } = this.options;
    if (powerOfTwo) {
      const order = Math.ceil(Math.log2(bytes / PAGE_SIZE));
      if (order <= maxOrder) {
        const base = kernel.framesAlloc(core, order);
        if (base >= 0) {
          this.options.machine.lines.write(this.headerLine(base));
          return this.record(Kind.Block, base, order, 2 ** order * PAGE_SIZE);
        }
      }
      return this.mapped(core, alignUp(size, PAGE_SIZE), 0);
    }
    if (bytes < HUGE_SIZE && pageRanges !== null) {
      const frame = pageRanges.getPages(core, bytes / PAGE_SIZE);
      if (frame >= 0) {
        return this.record(Kind.Ranges, kernel.linearAddress(frame), bytes / PAGE_SIZE, bytes);
      }
    }
    return this.mapped(core, bytes, LARGE_OFFSET);
  }

  /** free_large / mapped_free_large; Errno.EINVAL for a pointer that is no live block. */
  free(core: number, ptr: number): ErrnoStatus {
    const block = this.blocks.get(ptr);
    if (block === undefined) return Errno.EINVAL;
    const { kernel, mapper, pageRanges, machine } = this.options;
    this.blocks.delete(ptr);
    let status: number;
    if (block.kind === Kind.Mapped) {
      if (block.offset > 0) mapper.touch(core, block.base, false);
      status = mapper.munmap(core, block.base, block.amount);
    } else {
      machine.lines.read(this.headerLine(block.base));
      status =
        block.kind === Kind.Ranges
          ? pageRanges!.putPages(core, kernel.frameOf(block.base), block.amount)
          : kernel.framesFree(core, block.base, block.amount);
    }
    if (status !== Ok) {
      throw new Error(
        `osv malloc: freeing the block at 0x${block.base.toString(16)} failed (${status})`,
      );
    }
    return Ok;
  }

  /** Usable bytes of a live block, or Errno.EINVAL. */
  usableSize(ptr: number): number {
    return this.blocks.get(ptr)?.usable ?? Errno.EINVAL;
  }

  /** mapped_malloc_large: populated anonymous memory, with a header when `offset` > 0. */
  private mapped(core: number, bytes: number, offset: number): AddressResult {
    const { mapper } = this.options;
    const base = mapper.mmap(core, bytes, RW, ANON);
    if (base < 0) return Errno.ENOMEM;
    if (offset > 0) mapper.touch(core, base, true);
    this.mappedAllocs++;
    return this.record(Kind.Mapped, base, bytes, bytes, offset);
  }

  private record(kind: number, base: number, amount: number, bytes: number, offset = LARGE_OFFSET) {
    if (kind !== Kind.Mapped) this.largeAllocs++;
    const ptr = base + offset;
    this.blocks.set(ptr, { kind, base, amount, offset, usable: bytes - offset });
    return ptr;
  }

  private headerLine(base: number): number {
    return this.frameLines.line(this.options.kernel.frameOf(base), FrameLine.First);
  }
}
