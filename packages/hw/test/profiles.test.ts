import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtinProfiles,
  epyc9654pGuest,
  figureRange,
  GENERIC_COST_RANGE,
  loadProfile,
  parseProfile,
  resolveProfile,
  validateProfile,
  xeonGold5320,
} from '../src/index.js';

describe('built-in profiles', () => {
  it('validate, and every figure names its source', () => {
    for (const profile of builtinProfiles) {
      expect(validateProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
      for (const figure of Object.values(profile.costs))
        expect(figure.source.length).toBeGreaterThan(5);
    }
  });

  it('describe the thesis host and the LLFree paper machine', () => {
    expect(epyc9654pGuest.cores.value).toBe(96);
    expect(epyc9654pGuest.coresPerCcd.value).toBe(8);
    expect(epyc9654pGuest.frequencyGhz.value).toBe(2.4);
    expect(epyc9654pGuest.memoryBytes.value).toBe(60 * 2 ** 30);
    expect(xeonGold5320.cores.value).toBe(26);
    expect(xeonGold5320.frequencyGhz.value).toBe(2.2);
  });
});

describe('profile files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unimem-profile-'));
  const write = (name: string, data: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
    return path;
  };

  it('load a full profile and one that extends a built-in', () => {
    const full = write('full.json', { ...xeonGold5320, name: 'mine' });
    expect(loadProfile(full).name).toBe('mine');
    const partial = write('partial.json', {
      extends: 'epyc-9654p-guest',
      name: 'slow-ipi',
      costs: { ipiSend: { value: 9000, source: 'what-if' } },
    });
    const profile = resolveProfile(partial);
    expect(profile.costs.ipiSend.value).toBe(9000);
    expect(profile.costs.l1Hit.value).toBe(epyc9654pGuest.costs.l1Hit.value);
  });

  it('reject bad profiles naming the field', () => {
    // biome-ignore lint/suspicious/noExplicitAny: mutating an untyped JSON copy
    const bad = (mutate: (p: Record<string, any>) => void) => {
      const copy = JSON.parse(JSON.stringify(epyc9654pGuest));
      mutate(copy);
      return () => parseProfile(JSON.stringify(copy));
    };
    expect(bad((p) => (p.cores.value = 0))).toThrow(
      /"cores.value" must be an integer in 1\.\.4096/,
    );
    expect(bad((p) => (p.costs.dram.value = -3))).toThrow(/"costs.dram.value"/);
    expect(bad((p) => (p.costs.l1Hit.source = ''))).toThrow(/"costs.l1Hit.source"/);
    expect(bad((p) => delete p.costs.invlpg)).toThrow(/"costs.invlpg"/);
    expect(bad((p) => (p.costs.warpDrive = { value: 1, source: 'x' }))).toThrow(
      /"costs.warpDrive" is not a known cost/,
    );
    expect(bad((p) => (p.frequencyGhz.value = 'fast'))).toThrow(/"frequencyGhz.value"/);
    expect(bad((p) => (p.colour = 'red'))).toThrow(/"colour" is not a profile field/);
    expect(() => parseProfile('{not json')).toThrow(/not valid JSON/);
    expect(() => loadProfile(join(dir, 'missing.json'))).toThrow(/cannot read profile file/);
    expect(() => resolveProfile('pentium')).toThrow(/unknown profile "pentium".*epyc-9654p-guest/);
    const path = write('bad.json', {
      extends: 'epyc-9654p-guest',
      cores: { value: 1.5, source: 'x' },
    });
    expect(() => loadProfile(path)).toThrow(new RegExp(`${path}.*"cores.value"`));
  });

  it('reject figures outside their sane range, naming the field and the range', () => {
    const bad = (field: string, value: number) => {
      const copy = JSON.parse(JSON.stringify(epyc9654pGuest));
      const [head, tail] = field.split('.');
      (tail ? copy[head][tail] : copy[head]).value = value;
      return () => parseProfile(JSON.stringify(copy));
    };
    // Both ran before (1e300 cycles reached DuckDB as a BIGINT; 2^53-1 TLB entries crashed
    // with "Invalid typed array length").
    expect(bad('costs.dram', 1e300)).toThrow(
      /"costs.dram.value" must be a number in 0\.\.100000, got 1e\+300/,
    );
    expect(bad('tlbL2Entries', 2 ** 53 - 1)).toThrow(
      /"tlbL2Entries.value" must be an integer in 1\.\.65536, got 9007199254740991/,
    );
    expect(bad('costs.ipiSend', 1e9)).toThrow(
      /"costs.ipiSend.value" must be a number in 0\.\.10000000/,
    );
    expect(bad('memoryBytes', 2 ** 60)).toThrow(/"memoryBytes.value" must be an integer in/);
    expect(bad('frequencyGhz', 0)).toThrow(/"frequencyGhz.value" must be a number in 0\.1\.\.10/);
    expect(bad('costs.l1Hit', 0)).not.toThrow();
  });

  it('give every figure of every built-in profile a range it lies in', () => {
    for (const profile of builtinProfiles) {
      const figures = Object.entries(profile).filter(([, v]) => typeof v === 'object');
      for (const [field, figure] of figures) {
        if (field === 'costs') continue;
        const range = figureRange(field);
        expect(figure.value, field).toBeGreaterThanOrEqual(range.min);
        expect(figure.value, field).toBeLessThanOrEqual(range.max);
      }
      for (const [field, figure] of Object.entries(profile.costs)) {
        const range = figureRange(`costs.${field}`);
        expect(range, field).toBeDefined();
        expect(figure.value, field).toBeLessThanOrEqual(range.max);
      }
    }
    // A cost nobody gave a range yet still gets the generic one.
    expect(figureRange('costs.someNewCost')).toEqual(GENERIC_COST_RANGE);
  });
});
