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
// CPU's list exactly when local_free is not empty. An object's state is the model's own check of
// frees and is never charged; it is kept in the link array (`next`), whose entry only a FREE
// object needs: a FREE object's entry is its successor (-1 or more), a LIVE or QUEUED one's a
// negative mark below that. One Int16Array per page instead of a link and a state array: one
// allocation fewer per page and one host cache miss fewer on a free (the page is cold then).

/** sizeof(pool::page_header): owner, cpu_id, nalloc, free_link (list hook), local_free. */
export const PAGE_HEADER_BYTES = 40;
const PAGE_BYTES = 4096;
const NONE = -1;
/** `next` entries of objects not on local_free (every FREE object's entry is -1 or more). */
const LIVE_MARK = -2;
const QUEUED_MARK = -3;

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
  /** local_free's links: next[k] follows object k if k is FREE, else LIVE_MARK or QUEUED_MARK. */
  private readonly next: Int16Array;
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
    this.next[k] = LIVE_MARK;
    this.nalloc++;
    return k;
  }

  /** Puts object k at the head of local_free. */
  push(k: number): void {
    this.next[k] = this.freeHead;
    this.freeHead = k;
  }

  /** The ObjectState of object k. */
  stateOf(k: number): number {
    const link = this.next[k];
    if (link >= NONE) return ObjectState.Free;
    return link === LIVE_MARK ? ObjectState.Live : ObjectState.Queued;
  }

  /** Marks the LIVE object k QUEUED (freed by another CPU, on its way through a garbage sink). */
  queue(k: number): void {
    this.next[k] = QUEUED_MARK;
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
