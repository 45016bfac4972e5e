// OSv's malloc_pools (core/mempool.cc: pool::alloc, add_page, free_same_cpu, have_full_pages;
// docs/reference/osv.md §6): power-of-two size classes from sizeof(free_object) = 8 up to
// max_object_size = page_size / 4 = 1024 bytes — `malloc_pools[13]` indexed by
// ilog2_roundup(size), of which entries 3..10 serve malloc — each with one list of pages per
// CPU. All of it runs on the calling CPU under preempt_lock, no lock is taken:
// - alloc: if the CPU's list is empty, add_page (alloc_page from the page pools, write the
//   header, thread every object onto local_free, push the page to the back); take the first
//   object of the first page; a page whose local_free runs empty leaves the list.
// - free_same_cpu: --nalloc; if it reached 0 and the list's last page is fully free
//   (have_full_pages, which may be this page itself), the page leaves the list and goes back
//   through free_page; otherwise the object goes on local_free and a page that was not listed
//   is pushed to the front (or, with nalloc 0, to the back).
// Frees from another CPU go through the garbage sinks (garbage-sinks.ts) and end here on the
// owner.
//
// Lines charged to the running core: the CPU's list head (13 heads of 16 bytes in its percpu
// area, four per line), the page header (the page's first line), the neighbouring headers a list
// insert or erase relinks, the object whose free-list pointer an alloc reads or a free writes,
// and every line add_page's loop stores a pointer to. A line no core touched before costs DRAM
// in the line model, so a frame's first use as a pool page pays one miss per object line
// (prefetching, which would stream the page at about zeroPage, is not modelled; the
// application's first writes to fresh objects would miss on real hardware too). Pages recycled
// through the page pools are in some core's cache and cost hits or transfers.

import type { Machine } from '@unimem/hw';
import { type PageLines, pageLines } from './page-lines.js';
import { PagedSlots } from './paged-slots.js';
import { PageList, PoolPage } from './pool-page.js';

/** Smallest used class: 2^3 = sizeof(free_object). */
export const MIN_POOL_CLASS = 3;
/** Largest class: 2^10 = max_object_size = page_size / 4. */
export const MAX_POOL_CLASS = 10;
/** Entries of malloc_pools[] (ilog2_roundup(page_size) + 1). */
export const POOL_CLASSES = 13;
const HEAD_BYTES = 16;
const LINES_PER_PERCPU = Math.ceil((POOL_CLASSES * HEAD_BYTES) / 64);

/** Where pool pages come from and go back to. */
export interface PoolPageSource {
  /** alloc_page on `core`: a page's linear-map address, or a negative error. */
  allocPage(core: number): number;
  /** free_page on `core` (into that core's page pool). */
  freePage(core: number, addr: number): void;
  /** The frame of a linear-map address. */
  frameOf(addr: number): number;
}

export class MallocPools {
  /** Pages added / freed since construction, and pages held now. */
  pagesAdded = 0;
  pagesFreed = 0;
  pages = 0;
  private readonly lists: PageList[] = [];
  /** The pool page in each frame (frames are below 2^31, as in PagedInt32's users). */
  private readonly byFrame = new PagedSlots<PoolPage>(2 ** 31);
  private readonly headLines: number;
  private readonly pageLines: PageLines;
  /** Lines add_page's loop stores to, per class. */
  private readonly buildLines: number[][] = [];

  constructor(
    private readonly machine: Machine,
    private readonly cores: number,
    private readonly source: PoolPageSource,
  ) {
    for (let i = 0; i < POOL_CLASSES * cores; i++) this.lists.push(new PageList());
    this.headLines = machine.lines.allocLines(cores * LINES_PER_PERCPU, 'osv.malloc_pools.percpu');
    this.pageLines = pageLines(machine);
    for (let n = 0; n < POOL_CLASSES; n++) {
      const lines = new Set<number>();
      if (n >= MIN_POOL_CLASS && n <= MAX_POOL_CLASS) {
        const probe = new PoolPage(0, 0, n, 0);
        for (let k = 0; k < probe.objects; k++) lines.add(probe.offsetOf(k) >> 6);
      }
      this.buildLines.push([...lines].sort((a, b) => a - b));
    }
  }

  /** The pool page in `frame`, if it is one. */
  pageAt(frame: number): PoolPage | undefined {
    return this.byFrame.get(frame);
  }

  /** pool::alloc on `core` for class `sizeClass`: an object's address, or -1 (no page). */
  alloc(core: number, sizeClass: number): number {
    const list = this.lists[sizeClass * this.cores + core];
    const lines = this.machine.lines;
    lines.read(this.headLine(core, sizeClass));
    if (list.empty && !this.addPage(core, sizeClass, list)) return -1;
    const page = list.head!;
    lines.write(this.pageLines.line(page.frame, 0));
    const k = page.freeHead;
    lines.read(this.objectLine(page, k));
    page.pop();
    if (page.freeHead < 0) this.unlink(core, list, page);
    return page.addr + page.offsetOf(k);
  }

  /** pool::free_same_cpu on the page's own CPU `core`. */
  freeSameCpu(core: number, page: PoolPage, k: number): void {
    const lines = this.machine.lines;
    const list = this.lists[page.sizeClass * this.cores + core];
    lines.write(this.pageLines.line(page.frame, 0));
    page.nalloc--;
    if (page.nalloc === 0 && this.haveFullPages(core, list, page.sizeClass)) {
      if (page.listed) this.unlink(core, list, page);
      this.byFrame.clear(page.frame);
      this.pages--;
      this.pagesFreed++;
      this.source.freePage(core, page.addr);
      return;
    }
    if (!page.listed) this.link(core, list, page, page.nalloc > 0);
    lines.write(this.objectLine(page, k));
    page.push(k);
  }

  /** add_page: a fresh page from alloc_page with every object on its free list. */
  private addPage(core: number, sizeClass: number, list: PageList): boolean {
    const addr = this.source.allocPage(core);
    if (addr < 0) return false;
    const frame = this.source.frameOf(addr);
    const page = new PoolPage(frame, addr, sizeClass, core);
    const lines = this.machine.lines;
    lines.write(this.pageLines.line(frame, 0));
    for (const index of this.buildLines[sizeClass]) lines.write(this.pageLines.line(frame, index));
    this.byFrame.set(frame, page);
    this.pages++;
    this.pagesAdded++;
    this.link(core, list, page, false);
    return true;
  }

  /** have_full_pages: the list's last page has nothing handed out. */
  private haveFullPages(core: number, list: PageList, sizeClass: number): boolean {
    this.machine.lines.read(this.headLine(core, sizeClass));
    const tail = list.tail;
    if (tail === null) return false;
    this.machine.lines.read(this.pageLines.line(tail.frame, 0));
    return tail.nalloc === 0;
  }

  /** Pushes `page` to the front (or back) of `list`, relinking the old neighbour. */
  private link(core: number, list: PageList, page: PoolPage, front: boolean): void {
    const lines = this.machine.lines;
    const neighbour = front ? list.head : list.tail;
    lines.write(this.headLine(core, page.sizeClass));
    if (neighbour !== null) lines.write(this.pageLines.line(neighbour.frame, 0));
    if (front) list.pushFront(page);
    else list.pushBack(page);
  }

  /** Erases `page` from `list`, relinking its neighbours (or the head). */
  private unlink(core: number, list: PageList, page: PoolPage): void {
    const lines = this.machine.lines;
    if (page.prev === null || page.following === null) {
      lines.write(this.headLine(core, page.sizeClass));
    }
    if (page.prev !== null) lines.write(this.pageLines.line(page.prev.frame, 0));
    if (page.following !== null) lines.write(this.pageLines.line(page.following.frame, 0));
    list.erase(page);
  }

  private headLine(core: number, sizeClass: number): number {
    return this.headLines + core * LINES_PER_PERCPU + ((sizeClass * HEAD_BYTES) >> 6);
  }

  private objectLine(page: PoolPage, k: number): number {
    return this.pageLines.line(page.frame, page.offsetOf(k) >> 6);
  }
}
