// The digest of a result set's points: SHA-256 of their JSON, written into the set's meta as
// `pointsDigest` when a run writes it. `unimem merge` recomputes it for every input, so a shard
// whose points were edited, duplicated or dropped after the run is refused instead of merged
// as complete. Invariant: JSON.parse(JSON.stringify(points)) has the digest of `points`.

import { createHash } from 'node:crypto';
import type { Point, ResultMeta } from './api.js';

/** ResultMeta with the digest of its points (absent in result sets of older versions). */
export type SealedMeta = ResultMeta & { pointsDigest?: string };

export function pointsDigest(points: readonly Point[]): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(points)).digest('hex')}`;
}
