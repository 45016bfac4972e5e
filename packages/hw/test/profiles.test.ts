import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtinProfiles,
  epyc9654pGuest,
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
    expect(bad((p) => (p.cores.value = 0))).toThrow(/"cores.value" must be a positive integer/);
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
});
