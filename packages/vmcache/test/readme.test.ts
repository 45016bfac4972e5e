// The README's example, run as written: the lines between the markers must equal the README's
// first ts block, so the documented example is the tested one.
import { readFileSync } from 'node:fs';
import { Machine } from '@unimem/hw';
import { buildOsvPreset } from '@unimem/systems';
import { expect, it } from 'vitest';
import { BufferManager } from '../src/index.js';

it('runs the README example', () => {
  // readme-start
  const machine = new Machine({ cores: 4 });
  const { memory } = buildOsvPreset('osv-superblock', machine, { memoryBytes: 256 * 2 ** 20 });
  memory.boot();
  const free = memory.stats().freePhysBytes;
  const pool = BufferManager.create({
    machine,
    memory, // exposes the Kernel API: a UnikernelMemory
    backend: 'kernel-api',
    dataPages: 4096, // 16 MiB of database, addressed at pool.addressOf(pid)
    poolPages: 256, // 1 MiB resident at most
  });
  machine.run((core) =>
    (function* () {
      for (let i = 0; i < 200; i++) {
        const pid = (core * 1009 + i * 7) % 4096;
        const address = yield* pool.fixX(core, pid); // evicted: framesAlloc + map (+ evict a batch)
        memory.touch(core, address, true); // the access itself: TLB, page walk
        pool.unfixX(core, pid, true); // dirty: written back before it is evicted
        yield* pool.optimisticRead(core, pid, (a) => memory.touch(core, a, false));
      }
    })(),
  );
  console.log(pool.stats(), pool.backendStats()); // page-ins, evictions, shootdowns, ...
  pool.close(0); // evicts everything, erases the VMA, frees the range and the table pages
  // readme-end
  expect(pool.stats().evictions).toBeGreaterThan(500);
  expect(pool.backendStats().shootdowns).toBeGreaterThan(0);
  expect(memory.stats().freePhysBytes).toBe(free);

  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const tested = source.split('// readme-start\n')[1].split('  // readme-end')[0];
  const dedented = tested.replace(/^ {2}/gm, '');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = readme.split('```ts runnable\n')[1].split('```')[0];
  expect(block).toContain(dedented);
});
