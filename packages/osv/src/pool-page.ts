// One page of a malloc pool (OSv `pool::page_header` at the start of the page, core/mempool.cc)
// and the per-CPU intrusive list of pages with free objects (`dynamic_percpu<free_list_type>`).
// The header says which CPU owns the page (`cpu_id`), how many objects are handed out (`nalloc`)
// and where its free list starts (`local_free`); the free list is threaded through the free
// objects themselves. Objects are carved from the end of the page down to just above the
// 40-byte header (add_page's loop), each naturally aligned to its power-of-two size, and the
// initial free list hands out the lowest address first.
//
// Invariants: an object is FREE (on local_free), LIVE (handed out) or QUEUED (freed by another
// CPU, waiting in a garbage sink); nalloc counts LIVE and QUEUED objects; a page is on its
// CPU's list exactly when local_free is not empty. The `state` array is the model's own check of frees and is never charged.

/** sizeof(pool::page_header): owner, cpu_id, nalloc, free_link (list hook), local_free. */
export const PAGE_HEADER_BYTES = 40;
const PAGE_BYTES = 4096;
const NONE = -1;

export const ObjectState = { Free: 0, Live: 1, Queued: 2 } as const;

export class PoolPage {
  /** Objects in the page. */
  readonly objects: number;
  /** Object size in bytes, 2^sizeClass (kept: `2 **` is a call on the free path's hot loop). */
  readonly size: number;
  /** Handed out or queued objects (page_header::nalloc). */
  nalloc = 0;
  /** First object of local_free, or -1. */
  freeHead: number;
  /** local_free's links: next[k] follows object k. */
  readonly next: Int16Array;
  /** ObjectState per object (the model's bookkeeping). */
  readonly state: Uint8Array;
  /** The page list hook. */
  prev: PoolPage | null = null;
  following: PoolPage | null = null;
  listed = false;

  constructor(
    /** The frame of the page. */
    readonly frame: number,
    /** Linear-map address of the page. */
    readonly addr: number,
    /** Size class: objects are 2^sizeClass bytes. */
    readonly sizeClass: number,
    /** page_header::cpu_id: the CPU whose list owns the page. */
    readonly cpu: number,
  ) {
    const size = 2 ** sizeClass;
    this.size = size;
    this.objects = Math.floor((PAGE_BYTES - PAGE_HEADER_BYTES) / size);
    this.next = new Int16Array(this.objects);
    this.state = new Uint8Array(this.objects);
    // add_page pushes from the top of the page down: the lowest object ends up first.
    for (let k = 0; k < this.objects; k++) this.next[k] = k - 1;
    this.freeHead = this.objects - 1;
  }

  /** Byte offset of object k in the page (objects are carved from the end). */
  offsetOf(k: number): number {
    return PAGE_BYTES - (k + 1) * this.size;
  }

  /** The object at byte `offset`, or -1 when no object starts there. */
  objectAt(offset: number): number {
    const size = this.size;
    const fromEnd = PAGE_BYTES - offset;
    if (offset < PAGE_HEADER_BYTES || fromEnd % size !== 0) return NONE;
    const k = fromEnd / size - 1;
    return k >= 0 && k < this.objects ? k : NONE;
  }

  /** Takes the first object of local_free (the caller checked it is not empty). */
  pop(): number {
    const k = this.freeHead;
    this.freeHead = this.next[k];
    this.state[k] = ObjectState.Live;
    this.nalloc++;
    return k;
  }

  /** Puts object k at the head of local_free. */
  push(k: number): void {
    this.next[k] = this.freeHead;
    this.freeHead = k;
    this.state[k] = ObjectState.Free;
  }
}

/** A CPU's list of pages with free objects for one size class (bi::list, no size counter). */
export class PageList {
  head: PoolPage | null = null;
  tail: PoolPage | null = null;

  get empty(): boolean {
    return this.head === null;
  }

  pushFront(page: PoolPage): void {
    page.prev = null;
    page.following = this.head;
    if (this.head !== null) this.head.prev = page;
    else this.tail = page;
    this.head = page;
    page.listed = true;
  }

  pushBack(page: PoolPage): void {
    page.following = null;
    page.prev = this.tail;
    if (this.tail !== null) this.tail.following = page;
    else this.head = page;
    this.tail = page;
    page.listed = true;
  }

  erase(page: PoolPage): void {
    if (page.prev !== null) page.prev.following = page.following;
    else this.head = page.following;
    if (page.following !== null) page.following.prev = page.prev;
    else this.tail = page.prev;
    page.prev = null;
    page.following = null;
    page.listed = false;
  }
}
