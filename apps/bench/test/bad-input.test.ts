// Every bad input gets exactly one line naming the value and what is allowed, exit code 2, and
// leaves nothing behind: the output folder is not even created.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../src/registry.js';
import { runCli, tempDir } from './helpers.js';

const dir = tempDir();
const badProfile = join(dir, 'bad-profile.json');
writeFileSync(
  badProfile,
  JSON.stringify({ extends: 'epyc-9654p-guest', costs: { dram: { value: -3, source: 'typo' } } }),
);
const notJson = join(dir, 'not-json.json');
writeFileSync(notJson, '{ "name": ');
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'x');

const cases: Array<[string, string[], RegExp]> = [
  ['unknown command', ['frobnicate'], /unknown command "frobnicate" \(commands: bench, list/],
  ['unknown option', ['bench', '--bogus'], /Unknown option '--bogus'/],
  [
    'unknown benchmark',
    ['bench', 'frames.nope'],
    /unknown benchmark "frames\.nope" \(benchmarks: .*frames\.bulk, frames\.repeat, frames\.rand/,
  ],
  [
    'pattern matching nothing',
    ['bench', 'tpch.*'],
    /benchmark pattern "tpch\.\*" matches nothing \(benchmarks: .*frames\.bulk/,
  ],
  [
    'unknown system',
    ['bench', '--systems', 'llfree,nope'],
    /unknown system "nope" \(systems: (.*, )?llfree, (.*, )?reference/,
  ],
  ['empty system name', ['bench', '--systems', 'llfree,'], /--systems "llfree," has an empty name/],
  [
    'unknown profile',
    ['bench', '--profile', 'cray-1'],
    /unknown profile "cray-1" \(built-in: epyc-9654p-guest, xeon-gold-5320; or a path/,
  ],
  [
    'profile file failing validation',
    ['bench', '--profile', badProfile],
    /bad-profile\.json.*costs\.dram\.value" must be a number in 0\.\.100000, got -3/,
  ],
  [
    'profile file that is not JSON',
    ['bench', '--profile', notJson],
    /not-json\.json" is not valid JSON/,
  ],
  [
    'missing profile file',
    ['bench', '--profile', join(dir, 'none.json')],
    /cannot read profile file ".*none\.json"/,
  ],
  [
    'core count not a number',
    ['bench', '--cores', '1,x,4'],
    /--cores "1,x,4": "x" is not a core count in 1\.\.1024/,
  ],
  ['core count zero', ['bench', '--cores', '0,4'], /--cores "0,4": "0" is not a core count/],
  ['empty core count', ['bench', '--cores', '1,,2'], /--cores "1,,2": "" is not a core count/],
  ['repeated core count', ['bench', '--cores', '2,2'], /--cores "2,2": 2 appears twice/],
  ['zero scale', ['bench', '--scale', '0'], /--scale "0" must be a positive number/],
  ['negative scale', ['bench', '--scale=-1'], /--scale "-1" must be a positive number/],
  ['scale not a number', ['bench', '--scale', 'big'], /--scale "big" must be a positive number/],
  [
    'scale too small for the memory',
    ['bench', 'frames.bulk', '--scale', '0.0001'],
    /frames\.bulk: --scale 0\.0001 leaves .* of memory; frame benchmarks need at least 4 MiB/,
  ],
  ['order out of range', ['bench', '--order', '11'], /--order "11" must be an integer in 0\.\.10/],
  [
    'order leaving no allocation',
    ['bench', '--order', '10', '--scale', '0.01'],
    /--order 10 with .* at 64 cores leaves no allocation per core/,
  ],
  ['negative seed', ['bench', '--seed=-1'], /--seed "-1" must be an integer in 0\.\.4294967295/],
  ['zero jobs', ['bench', '--jobs', '0'], /--jobs "0" must be an integer in 1\.\.1024/],
  [
    'shard beyond count',
    ['bench', '--shard', '3/2'],
    /--shard "3\/2" must be i\/n with 1 <= i <= n/,
  ],
  ['malformed shard', ['bench', '--shard', 'half'], /--shard "half" must be i\/n/],
  [
    'shard without cases',
    ['bench', 'frames.bulk', '--systems', 'llfree', '--cores', '1', '--shard', '2/2'],
    /--shard 2\/2 has no cases: the sweep has only 1/,
  ],
  [
    'output folder is a file',
    ['bench', '--out', aFile],
    /--out ".*a-file" is a file, not a folder/,
  ],
  [
    'report of a folder without results',
    ['report', dir],
    /cannot read result set ".*results\.json": no such file/,
  ],
  [
    'merge without inputs',
    ['merge', join(dir, 'out')],
    /merge takes an output folder and at least one result folder/,
  ],
];

describe('bad input', () => {
  it.each(cases)('%s: one line, exit code 2, nothing written', async (_name, args, message) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const withOut = args[0] === 'bench' && !args.includes('--out') ? [...args, '--out', out] : args;
    const run = await runCli(withOut);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/^unimem: /);
    expect(run.err[0]).toMatch(message);
    expect(run.code).toBe(2);
    expect(run.out).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a benchmark on a system that does not provide its target', async () => {
    const registry = await loadRegistry();
    registry.addSystem({
      name: 'test-memory-only',
      description: 'a memory system without a frame allocator (test)',
      provides: ['memory'],
      build: () => {
        throw new Error('never built: the sweep is refused first');
      },
    });
    const out = join(dir, 'mismatch');
    const run = await runCli([
      'bench',
      'frames.bulk',
      '--systems',
      'test-memory-only',
      '--out',
      out,
    ]);
    expect(run.code).toBe(2);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(
      /^unimem: benchmark frames\.bulk needs a frame allocator, which none of --systems test-memory-only provides \(systems with one: (.*, )?llfree, (.*, )?reference\)$/,
    );
    const unused = await runCli([
      'bench',
      'frames.bulk',
      '--systems',
      'llfree,test-memory-only',
      '--out',
      out,
    ]);
    expect(unused.err).toEqual([
      'unimem: system test-memory-only provides a memory system, which none of the benchmarks frames.bulk drives',
    ]);
    expect(existsSync(out)).toBe(false);
  });
});
