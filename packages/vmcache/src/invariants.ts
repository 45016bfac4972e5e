// The buffer pool's invariants, checked from a quiescent snapshot (no operation in flight): a
// page is in the resident set at most once and only if it is not evicted; the resident set, the
// pool's used-page count and the back end's mapped pages agree and stay within the pool; no page
// is left latched; and, given the page table, an evicted page is mapped nowhere and a resident
// one is mapped. Problems come back in words, so a failing test says what broke.

import { EVICTED, MARKED, UNLOCKED } from './page-state.js';

export interface PoolSnapshot {
  /** Page ids in the resident set, one per occupied slot. */
  members: readonly number[];
  /** State (0..255) of a page's word. */
  stateOf(pid: number): number;
  /** The pool's used-page count. */
  used: number;
  /** Pages the back end holds mapped. */
  mapped: number;
  poolPages: number;
  dataPages: number;
  addressOf(pid: number): number;
}

export function poolProblems(
  pool: PoolSnapshot,
  translated?: (address: number) => boolean,
): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const pid of pool.members) {
    if (seen.has(pid)) problems.push(`page ${pid} is in the resident set twice`);
    seen.add(pid);
    if (pool.stateOf(pid) === EVICTED) problems.push(`page ${pid} is resident but marked evicted`);
  }
  let resident = 0;
  for (let pid = 0; pid < pool.dataPages; pid++) {
    const state = pool.stateOf(pid);
    if (state !== EVICTED) resident++;
    if (state !== UNLOCKED && state !== MARKED && state !== EVICTED) {
      problems.push(`page ${pid} is still latched (state ${state})`);
    }
    if (translated && (state === EVICTED) === translated(pool.addressOf(pid))) {
      problems.push(
        `page ${pid} is ${state === EVICTED ? 'evicted but mapped' : 'resident but not mapped'}`,
      );
    }
  }
  if (resident !== seen.size) {
    problems.push(`${resident} pages are not evicted but ${seen.size} are in the resident set`);
  }
  if (pool.used !== resident) {
    problems.push(`pool counts ${pool.used} used pages, ${resident} are resident`);
  }
  if (pool.mapped !== resident) {
    problems.push(`back end maps ${pool.mapped} pages, ${resident} are resident`);
  }
  if (resident > pool.poolPages) {
    problems.push(`${resident} resident pages exceed the pool's ${pool.poolPages}`);
  }
  return problems;
}
