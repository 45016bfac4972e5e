// Error values of the allocation path. Errors are values, not exceptions: a frame or an address
// is a non-negative number and every error is a negative one, so results stay small integers
// (monomorphic, allocation-free). Only misconfiguration throws (RangeError naming the value).

/** Errors of frame allocators (FrameAllocator, KernelApi.framesAlloc). */
export const AllocError = {
  /** No memory left (after every fallback, such as stealing, was tried). */
  Memory: -1,
  /** A transient race; callers of the public API never see it (allocators retry internally). */
  Retry: -2,
  /** The frame is out of range, misaligned for its order, or not allocated (double free). */
  Address: -3,
  /** A bad argument other than the frame: order out of range, core out of range. */
  Argument: -4,
  /** Metadata is inconsistent (found by recovery). */
  Corruption: -5,
} as const;
export type AllocError = (typeof AllocError)[keyof typeof AllocError];

/** Status of an operation that returns nothing on success. */
export const Ok = 0 as const;
export type Status = typeof Ok | AllocError;

/** POSIX error numbers, negated as Linux returns them from the kernel side of a syscall. */
export const Errno = {
  ENOMEM: -12,
  EACCES: -13,
  /** Access to an unmapped address (the SIGSEGV-like outcome of `touch`). */
  EFAULT: -14,
  EEXIST: -17,
  EINVAL: -22,
} as const;
export type Errno = (typeof Errno)[keyof typeof Errno];

/** Status of a POSIX-like call: Ok or a negated errno. */
export type ErrnoStatus = typeof Ok | Errno;

const allocNames = new Map<number, string>(Object.entries(AllocError).map(([k, v]) => [v, k]));
const errnoNames = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]));

/** True when an allocation-path result is an error (any negative value). */
export function isError(result: number): boolean {
  return result < 0;
}

/** Name of an AllocError value, e.g. `allocErrorName(-1) === 'Memory'`. */
export function allocErrorName(code: number): string {
  return allocNames.get(code) ?? `unknown(${code})`;
}

/** Name of an Errno value, e.g. `errnoName(-22) === 'EINVAL'`. */
export function errnoName(code: number): string {
  return errnoNames.get(code) ?? `unknown(${code})`;
}
