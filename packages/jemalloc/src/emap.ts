// The global extent map (jemalloc's emap over an rtree): page number -> extent. Every extent is
// registered at its first and last page (so a neighbour finds it when coalescing); an active
// slab also at every interior page (so free() finds the slab from any region). On x86-64 the
// rtree has two levels of 18 bits: the root lives in static memory, and each leaf maps 2^18
// pages (1 GiB of address space) with 8-byte elements (RTREE_LEAF_COMPACT), i.e. 2 MiB of
// metadata taken from base 0 when first needed and faulted in page by page as elements are
// written. A lookup reads the element's cache line; a write writes it. Invariant: a registered
// page maps to the extent that contains it.

import { Errno, Ok, PAGE_SIZE } from '@unimem/core';
import type { LineTracer } from '@unimem/hw';
import type { Base } from './base.js';
import type { ExtentTable } from './extent.js';

export const LEAF_BITS = 18;
const LEAF_PAGES = 2 ** LEAF_BITS;
/** Bytes of one leaf element (compact encoding: pointer, size class, state, slab bit). */
export const ELEMENT_BYTES = 8;
const ELEMENTS_PER_LINE = 8;

interface Leaf {
  /** Handle + 1 of the extent registered at each page, 0 for none. */
  handles: Int32Array;
  /** Address of the leaf in base 0. */
  addr: number;
  firstLine: number;
  /** Pages of the leaf written (faulted in) so far. */
  written: Uint8Array;
}

export class ExtentMap {
  /** Leaves allocated. */
  leafCount = 0;
  private readonly leaves = new Map<number, Leaf>();
  /** The last leaf looked up (jemalloc's rtree_ctx cache does the same for the real tree). */
  private lastKey = -1;
  private lastLeaf: Leaf | undefined;

  constructor(
    private readonly table: ExtentTable,
    private readonly base: Base,
    private readonly tracer: LineTracer,
  ) {}

  /** Makes sure the leaf covering `page` exists (rtree init_missing). Ok or ENOMEM. */
  ensure(core: number, page: number): number {
    const key = Math.floor(page / LEAF_PAGES);
    if (key === this.lastKey || this.leaves.has(key)) return Ok;
    const addr = this.base.alloc(core, LEAF_PAGES * ELEMENT_BYTES, PAGE_SIZE, false);
    if (addr < 0) return Errno.ENOMEM;
    const firstLine = this.tracer.allocLines(LEAF_PAGES / ELEMENTS_PER_LINE, 'jemalloc rtree leaf');
    this.leaves.set(key, {
      handles: new Int32Array(LEAF_PAGES),
      addr,
      firstLine,
      written: new Uint8Array((LEAF_PAGES * ELEMENT_BYTES) / PAGE_SIZE),
    });
    this.leafCount++;
    return Ok;
  }

  /** The extent registered at `page`, or -1. Reads the element's line. */
  lookup(page: number): number {
    const leaf = this.leafOf(page);
    if (leaf === undefined) return -1;
    const slot = page % LEAF_PAGES;
    this.tracer.read(leaf.firstLine + Math.floor(slot / ELEMENTS_PER_LINE));
    return leaf.handles[slot] - 1;
  }

  /** As lookup, without charging (queries from outside the simulation). */
  peek(page: number): number {
    const leaf = this.leafOf(page);
    return leaf === undefined ? -1 : leaf.handles[page % LEAF_PAGES] - 1;
  }

  /** Registers `handle` at `page` (-1 clears). The leaf must exist (ensure). */
  write(core: number, page: number, handle: number): void {
    const leaf = this.leafOf(page);
    if (leaf === undefined) throw new Error(`jemalloc emap: no leaf for page ${page}`);
    const slot = page % LEAF_PAGES;
    this.tracer.write(leaf.firstLine + Math.floor(slot / ELEMENTS_PER_LINE));
    leaf.handles[slot] = handle + 1;
    const offset = slot * ELEMENT_BYTES;
    const leafPage = Math.floor(offset / PAGE_SIZE);
    if (leaf.written[leafPage] === 0) {
      leaf.written[leafPage] = 1;
      this.base.touch(core, leaf.addr + offset, ELEMENT_BYTES);
    }
  }

  private leafOf(page: number): Leaf | undefined {
    const key = Math.floor(page / LEAF_PAGES);
    if (key === this.lastKey) return this.lastLeaf;
    const leaf = this.leaves.get(key);
    if (leaf !== undefined) {
      this.lastKey = key;
      this.lastLeaf = leaf;
    }
    return leaf;
  }

  /** Registers the first and last page of an extent (emap_register_boundary). */
  registerBoundary(core: number, handle: number): void {
    const first = this.table.addr(handle) / PAGE_SIZE;
    const last = first + this.table.size(handle) / PAGE_SIZE - 1;
    this.write(core, first, handle);
    if (last !== first) this.write(core, last, handle);
  }

  /** Registers (or with -1 clears) the interior pages of a slab (emap_register_interior). */
  interior(core: number, handle: number, value: number): void {
    const first = this.table.addr(handle) / PAGE_SIZE;
    const last = first + this.table.size(handle) / PAGE_SIZE - 1;
    for (let page = first + 1; page < last; page++) this.write(core, page, value);
  }

  /** Clears the boundary registrations of an extent being absorbed by a merge. */
  clearBoundary(core: number, handle: number): void {
    const first = this.table.addr(handle) / PAGE_SIZE;
    const last = first + this.table.size(handle) / PAGE_SIZE - 1;
    this.write(core, first, -1);
    if (last !== first) this.write(core, last, -1);
  }
}
