// Packed atomic entries as small value helpers (llfree-rs `entry.rs`): every entry is a plain
// int32 as Atomics returns it, and the algorithms only ever use the named accessors below, never
// raw masks. All helpers are pure functions on numbers: no objects per operation.
//
// child  (16 bits, two per 32-bit word)  free:10 (0..512) | splitting:1 (bit 14) | huge:1 (bit 15)
//        A huge child is allocated as one 2 MiB frame: free 0, bitfield all zero. "Splitting" is
//        the short window in which a partial free turns a huge child into 512 allocated bits.
// pair   (32 bits)  even child in the low half, odd child in the high half; an order-10 frame is
//        one CAS of the pair from {512, 512} to {huge, huge}.
// tree   (32 bits)  free:16 (0..16384) | reserved:1 (bit 16). While a core has the tree reserved
//        the counter holds only the frees that landed here from other cores (or undone gets).
// local  (32 bits)  tree+1:17 (bits 15..31) | free:15 (bits 0..14). 0 means "no reservation".
//        The whole reservation is one word, so taking, returning and decrementing it are single
//        CASes and there is no ABA: equal words mean equal reservations.

import { CHILD_FRAMES } from './api.js';

const CHILD_FREE = 0x3ff;
const CHILD_SPLITTING = 0x4000;
const CHILD_HUGE = 0x8000;

export const Child = {
  /** A child with every frame free. */
  FULL: CHILD_FRAMES,
  /** A child allocated as one huge frame. */
  HUGE: CHILD_HUGE,
  /** A huge child being split into 512 allocated bits by a partial free. */
  SPLITTING: CHILD_SPLITTING,
  free(child: number): number {
    return child & CHILD_FREE;
  },
  huge(child: number): boolean {
    return (child & CHILD_HUGE) !== 0;
  },
  splitting(child: number): boolean {
    return (child & CHILD_SPLITTING) !== 0;
  },
  /** A child with `free` free frames, not huge. */
  withFree(free: number): number {
    return free;
  },
  /** True for the two states in which the bitfield is not the truth (huge or splitting). */
  locked(child: number): boolean {
    return (child & (CHILD_HUGE | CHILD_SPLITTING)) !== 0;
  },
} as const;

export const Pair = {
  /** Both children entirely free. */
  FULL: CHILD_FRAMES | (CHILD_FRAMES << 16) | 0,
  /** Both children allocated as huge: one order-10 frame. */
  HUGE: CHILD_HUGE | (CHILD_HUGE << 16) | 0,
  /** Bit shift of child `child` within its pair word (0 or 16). */
  shift(child: number): number {
    return (child & 1) << 4;
  },
  child(pair: number, shift: number): number {
    return (pair >>> shift) & 0xffff;
  },
  withChild(pair: number, shift: number, child: number): number {
    return (pair & ~(0xffff << shift)) | (child << shift) | 0;
  },
  of(low: number, high: number): number {
    return low | (high << 16) | 0;
  },
} as const;

const TREE_FREE = 0xffff;
const TREE_RESERVED = 0x10000;

export const Tree = {
  free(tree: number): number {
    return tree & TREE_FREE;
  },
  reserved(tree: number): boolean {
    return (tree & TREE_RESERVED) !== 0;
  },
  withFree(tree: number, free: number): number {
    return (tree & ~TREE_FREE) | free;
  },
  /** The entry of a tree that is reserved (`reserved`) or not, with `free` free frames. */
  of(free: number, reserved: boolean): number {
    return reserved ? free | TREE_RESERVED : free;
  },
} as const;

const LOCAL_FREE = 0x7fff;
const LOCAL_TREE_SHIFT = 15;

export const Local = {
  /** No tree reserved. */
  NONE: 0,
  present(local: number): boolean {
    return local !== 0;
  },
  /** Index of the reserved tree (-1 for NONE). */
  tree(local: number): number {
    return (local >>> LOCAL_TREE_SHIFT) - 1;
  },
  free(local: number): number {
    return local & LOCAL_FREE;
  },
  withFree(local: number, free: number): number {
    return (local & ~LOCAL_FREE) | free | 0;
  },
  of(tree: number, free: number): number {
    return ((tree + 1) << LOCAL_TREE_SHIFT) | free | 0;
  },
} as const;
