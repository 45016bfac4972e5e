// The CLI's contract: bad input ends in one line naming the value and exit code 2.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';

afterEach(() => vi.restoreAllMocks());

async function exitOf(argv: string[]): Promise<{ code: number; error: string }> {
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const code = await main(argv, () => undefined);
  return { code, error: error.mock.calls.map((c) => c.join(' ')).join('\n') };
}

describe('cli', () => {
  it.each([
    [['run', '--sf=-1'], /--sf "-1" is not a positive number/],
    [['run', '--sf', '-1'], /'--sf' argument is ambiguous/],
    [['run', '--sf', 'abc'], /--sf "abc"/],
    [['run', '--queries', '1,30'], /--queries query "30" is not a query number .*1\.\.22/],
    [['run', '--threads', '0'], /--threads "0" is not a whole number in 1\.\.1024/],
    [['run', '--repeat', '1.5'], /--repeat "1.5"/],
    [['capture', '--mode', 'ebpf'], /--mode "ebpf" is not one of auto, perf, strace/],
    [['run', '--bogus'], /bogus/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['inspect'], /inspect needs one trace file or directory, got 0/],
    [['inspect', '/no/such/file'], /"\/no\/such\/file" is not a trace file or directory/],
  ])('%j exits 2 with one line', async (argv, pattern) => {
    const { code, error } = await exitOf(argv as string[]);
    expect(code).toBe(2);
    expect(error).toMatch(pattern);
    expect(error.split('\n')).toHaveLength(1);
  });

  it('inspects a committed trace', async () => {
    const lines: string[] = [];
    const file = join(import.meta.dirname, '../../../benchmarks/tpch/sf0.1-t8/q01.trace.gz');
    expect(await main(['inspect', file, '--phases'], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/q01 t8\s+run1/);
  });

  it('prints usage', async () => {
    const lines: string[] = [];
    expect(await main(['help'], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('capture [--sf S]');
  });
});
