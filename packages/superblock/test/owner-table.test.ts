import { NativeWords } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { Entry, OwnerTable } from '../src/index.js';
import { HookedWords } from './helpers.js';

const table = (count: number) => {
  let words: HookedWords | undefined;
  const owners = new OwnerTable(count, (buffer) => {
    words = new HookedWords(buffer);
    return words;
  });
  return { owners, words: words! };
};

const entries = (owners: OwnerTable) =>
  Array.from({ length: owners.count }, (_, i) => owners.entry(i));

describe('OwnerTable', () => {
  it('starts all free, four entries to a word, whole lines of buffer', () => {
    const { owners, words } = table(100);
    expect(entries(owners).every((e) => e === Entry.FREE)).toBe(true);
    expect(words.buffer.byteLength).toBe(128);
    expect(OwnerTable.bytesFor(32768)).toBe(32768);
    expect(owners.cas(5, Entry.FREE, Entry.owned(3))).toBe(true);
    expect(words.load(1)).toBe(Entry.owned(3) << 8);
    expect(owners.entry(5)).toBe(4);
    expect(owners.entry(4)).toBe(Entry.FREE);
    expect(owners.cas(5, Entry.FREE, Entry.owned(1))).toBe(false);
    expect(owners.entry(5)).toBe(Entry.owned(3));
  });

  it('encodes owners 0..253 and the reserved marker without touching neighbours', () => {
    const { owners } = table(8);
    expect(owners.cas(3, Entry.FREE, Entry.RESERVED)).toBe(true);
    expect(owners.cas(2, Entry.FREE, Entry.owned(253))).toBe(true);
    expect(owners.entry(3)).toBe(Entry.RESERVED);
    expect(Entry.isOwned(owners.entry(3))).toBe(false);
    expect(Entry.core(owners.entry(2))).toBe(253);
    expect(owners.entry(1)).toBe(Entry.FREE);
    expect(owners.entry(4)).toBe(Entry.FREE);
  });

  it('retries a CAS that lost only to a neighbouring entry', () => {
    const { owners, words } = table(8);
    let fired = false;
    words.beforeCas = () => {
      if (fired) return;
      fired = true;
      owners.cas(1, Entry.FREE, Entry.owned(7)); // re-entrant: the neighbour changes first
    };
    expect(owners.cas(0, Entry.FREE, Entry.owned(2))).toBe(true);
    expect(owners.entry(0)).toBe(Entry.owned(2));
    expect(owners.entry(1)).toBe(Entry.owned(7));
  });

  it('claims the lowest free superblock, then the lowest free run', () => {
    const { owners } = table(16);
    expect(owners.claimRun(0, 1, 1, 0)).toBe(0);
    expect(owners.claimRun(1, 1, 1, 0)).toBe(1);
    owners.cas(4, Entry.FREE, Entry.owned(2));
    expect(owners.claimRun(2, 3, 1, 0)).toBe(5);
    expect(entries(owners).slice(0, 9)).toEqual([1, 2, 0, 0, 3, 3, 3, 3, 0]);
    expect(owners.claimRun(3, 2, 1, 0)).toBe(2);
    expect(owners.claimRun(3, 9, 1, 0)).toBe(-1);
    expect(owners.claimRun(3, 7, 1, 0)).toBe(8);
    expect(owners.claimRun(0, 1, 1, 0)).toBe(15);
    expect(owners.claimRun(0, 1, 1, 0)).toBe(-1);
    expect(owners.countUnowned()).toEqual([0, 0]);
  });

  it('starts runs only where (index + phase) % stride === 0', () => {
    const { owners } = table(16);
    owners.cas(4, Entry.FREE, Entry.owned(0));
    expect(owners.claimRun(1, 1, 4, 1)).toBe(3);
    expect(owners.claimRun(1, 2, 4, 1)).toBe(7);
    expect(owners.claimRun(1, 1, 4, 1)).toBe(11);
    expect(owners.claimRun(1, 4, 4, 0)).toBe(12);
    expect(owners.claimRun(1, 4, 4, 0)).toBe(-1);
    expect(owners.claimRun(1, 1, 8, 0)).toBe(0);
  });

  it('releases every reserved marker of a claim that loses a CAS halfway, and goes on', () => {
    const { owners, words } = table(32);
    let fired = false;
    words.beforeCas = (word) => {
      if (fired || word !== 0) return;
      fired = true;
      owners.cas(2, Entry.FREE, Entry.owned(9)); // another core takes the middle of the run
    };
    const got = owners.claimRun(4, 4, 1, 0);
    expect(got).toBe(3);
    const e = entries(owners);
    expect(e.slice(0, 8)).toEqual([0, 0, 10, 5, 5, 5, 5, 0]);
    expect(e.includes(Entry.RESERVED)).toBe(false);
  });

  it('reports -1 and leaves the table as it was when a lost CAS leaves no run', () => {
    const { owners, words } = table(4);
    words.beforeCas = (word) => {
      words.beforeCas = undefined;
      expect(word).toBe(0);
      owners.cas(3, Entry.FREE, Entry.owned(0));
    };
    expect(owners.claimRun(1, 4, 1, 0)).toBe(-1);
    expect(entries(owners)).toEqual([0, 0, 0, Entry.owned(0)]);
  });

  it('releases only an entry the core owns', () => {
    const { owners } = table(4);
    owners.claimRun(2, 1, 1, 0);
    expect(owners.release(0, 1)).toBe(false);
    expect(owners.release(0, 2)).toBe(true);
    expect(owners.entry(0)).toBe(Entry.FREE);
    expect(owners.release(0, 2)).toBe(false);
  });

  it('refuses words too short for the table', () => {
    expect(() => new OwnerTable(64, (b) => new NativeWords(b, 0, 8))).toThrow(/needs 16/);
  });
});
