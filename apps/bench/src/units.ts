// Sizes the runner converts between: 4 KiB frames, GiB, and the frame-benchmark rule of the
// LLFree artifact (allocs = mem_GiB * 512 * 512 / max_cores / 2 / 2^order, docs/reference/llfree.md §5).

export const FRAME_BYTES = 4096;
export const GIB = 2 ** 30;
export const MIB = 2 ** 20;

/** Whole 4 KiB frames in `bytes`. */
export function framesOf(bytes: number): number {
  return Math.floor(bytes / FRAME_BYTES);
}

/** Human size: "8 GiB", "512 MiB", "1.5 GiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${trim(bytes / GIB)} GiB`;
  if (bytes >= MIB) return `${trim(bytes / MIB)} MiB`;
  return `${trim(bytes / 1024)} KiB`;
}

function trim(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, '');
}
