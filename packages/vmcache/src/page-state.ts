// The page-state array of vmcache (Leis et al., SIGMOD 2023, §3.2 and Fig. 3): one state word
// per page id, holding the page's latch state and a version. States: 0 unlocked, 1..252 latched
// shared by that many readers, 253 locked exclusively, 254 marked (a clock candidate, still
// usable), 255 evicted. Invariant: the version changes exactly when an exclusive latch is
// released, so an optimistic reader that saw version v unlocked and still sees v afterwards read
// a page nobody changed or evicted in between. vmcache packs 8 bits of state and 56 bits of
// version into 64 bits; here the word is 32 bits (8 state + 24 version) and each page's word is
// padded to 8 bytes, so 8 pages share a cache line as in vmcache. Every access goes through
// AtomicWords, so in the model the words' lines carry the contention real latches cause.

import type { AtomicWords } from '@unimem/hw';

export const UNLOCKED = 0;
export const MAX_SHARED = 252;
export const LOCKED = 253;
export const MARKED = 254;
export const EVICTED = 255;

/** Words per page: the state word plus padding to vmcache's 8-byte state. */
export const STATE_STRIDE = 2;
const VERSION_MASK = 0xff_ffff;

/** The state of a packed word. */
export function stateOf(word: number): number {
  return word & 0xff;
}

/** The version of a packed word. */
export function versionOf(word: number): number {
  return (word >>> 8) & VERSION_MASK;
}

/** A packed word (int32, as Atomics returns it). */
export function pack(version: number, state: number): number {
  return ((version & VERSION_MASK) << 8) | state | 0;
}

export class PageStates {
  constructor(
    private readonly words: AtomicWords,
    /** The same words without charging, for wait conditions the scheduler evaluates. */
    private readonly peekView: Int32Array,
    readonly pages: number,
  ) {
    if (words.length < pages * STATE_STRIDE) {
      throw new RangeError(`page states: ${words.length} words hold fewer than ${pages} pages`);
    }
  }

  /** Sets every page evicted with version 0 (setup; charged as stores). */
  init(): void {
    for (let pid = 0; pid < this.pages; pid++) this.words.store(pid * STATE_STRIDE, EVICTED);
  }

  load(pid: number): number {
    return this.words.load(pid * STATE_STRIDE);
  }

  /** The word without charging the machine (a scheduler wait condition). */
  peek(pid: number): number {
    return this.peekView[pid * STATE_STRIDE];
  }

  /** Exclusive latch from `old` (unlocked, marked or evicted); false if the word changed. */
  tryLockX(pid: number, old: number): boolean {
    const state = stateOf(old);
    if (state !== UNLOCKED && state !== MARKED && state !== EVICTED) return false;
    return this.words.cas(pid * STATE_STRIDE, old, pack(versionOf(old), LOCKED)) === old;
  }

  /** Releases an exclusive latch: version + 1, unlocked. */
  unlockX(pid: number): void {
    const word = this.words.load(pid * STATE_STRIDE);
    this.words.store(pid * STATE_STRIDE, pack(versionOf(word) + 1, UNLOCKED));
  }

  /** Releases an exclusive latch on a page that is gone: version + 1, evicted. */
  unlockXEvicted(pid: number): void {
    const word = this.words.load(pid * STATE_STRIDE);
    this.words.store(pid * STATE_STRIDE, pack(versionOf(word) + 1, EVICTED));
  }

  /** Shared latch from `old` (unlocked, marked or shared below the limit). */
  tryLockS(pid: number, old: number): boolean {
    const state = stateOf(old);
    let next: number;
    if (state < MAX_SHARED) next = state + 1;
    else if (state === MARKED) next = 1;
    else return false;
    return this.words.cas(pid * STATE_STRIDE, old, pack(versionOf(old), next)) === old;
  }

  /** Releases a shared latch (a CAS loop: other readers change the count concurrently). */
  unlockS(pid: number): void {
    const index = pid * STATE_STRIDE;
    let word = this.words.load(index);
    for (;;) {
      const state = stateOf(word);
      if (!(state >= 1 && state <= MAX_SHARED)) {
        throw new Error(`page ${pid}: unlockS in state ${state} (not latched shared)`);
      }
      const found = this.words.cas(index, word, pack(versionOf(word), state - 1));
      if (found === word) return;
      word = found;
    }
  }

  /** Marks an unlocked page as a clock candidate; false if the word changed. */
  tryMark(pid: number, old: number): boolean {
    if (stateOf(old) !== UNLOCKED) return false;
    return this.words.cas(pid * STATE_STRIDE, old, pack(versionOf(old), MARKED)) === old;
  }

  /** Takes the clock mark back (an access gives the page a second chance); false if changed. */
  tryUnmark(pid: number, old: number, unmarked: number): boolean {
    if (stateOf(old) !== MARKED) return false;
    return this.words.cas(pid * STATE_STRIDE, old, unmarked) === old;
  }
}
