// The x86-64 page-table entry layout shared by page tables and TLBs (Intel SDM vol. 3 §4.5).
// An entry is held as a float64 integer frame × 4096 + flags (exact: frames < 2^40); a
// translation word, what a walk or a TLB hit yields for one address, has the same layout with the
// frame of the 4 KiB page containing the address. No NX bit: execute permission is not modelled.

/** Entry bits (SDM vol. 3 table 4-19); bits 9-11 are ignored by hardware and free for software. */
export const PteFlag = {
  Present: 0x1,
  Writable: 0x2,
  User: 0x4,
  WriteThrough: 0x8,
  NoCache: 0x10,
  Accessed: 0x20,
  Dirty: 0x40,
  Huge: 0x80,
  Global: 0x100,
  Soft1: 0x200,
  Soft2: 0x400,
  Soft3: 0x800,
} as const;

export const PageSize = { Size4K: 4096, Size2M: 2 ** 21, Size1G: 2 ** 30 } as const;
export type PageSize = (typeof PageSize)[keyof typeof PageSize];

/** Returned by `walk` for an unmapped address. */
export const NO_TRANSLATION = -1;
/** Virtual addresses are 48-bit numbers; the upper half is not sign-extended. */
export const VA_LIMIT = 2 ** 48;
/** Physical frames below 2^40 (52-bit physical addresses). */
export const FRAME_LIMIT = 2 ** 40;

/** Entries and translation words are frame × FLAG_SPAN + flags. */
export const FLAG_SPAN = 4096;
/** The flag bits. `word & FLAG_MASK` is exact for words below 2^53 (ToInt32 keeps low bits). */
export const FLAG_MASK = 0xfff;

/** Frame of an entry or translation word (both are frame × 4096 + flags). */
export function pteFrame(word: number): number {
  return Math.floor(word / FLAG_SPAN);
}

/** Flags of an entry or translation word. */
export function pteFlags(word: number): number {
  return word & FLAG_MASK;
}

/**
 * Index of the 4 KiB frame holding `va` within its page of `size` bytes (a power of two). Uses
 * integer masking rather than `%`, which V8 runs as a slow fmod call for numbers above 2^31.
 */
export function frameInPage(va: number, size: number): number {
  return (va / FLAG_SPAN) & (size / FLAG_SPAN - 1);
}

/** A leaf mapping: where it starts, its first frame, size and entry flags. */
export interface Mapping {
  va: number;
  frame: number;
  size: PageSize;
  flags: number;
}

/** What `translate` finds for one address: the 4 KiB frame holding it and its mapping. */
export interface Translation {
  /** Physical frame of the 4 KiB page containing the address. */
  frame: number;
  size: PageSize;
  flags: number;
}
