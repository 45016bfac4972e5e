// Misconfiguration throws a RangeError naming the value; the kernel-api back end refuses a
// memory system without the Kernel API with a message that says which one and what to use.
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { BufferManager, StorageDevice, WorkloadGenerator } from '../src/index.js';
import { bootSystem } from './systems.js';

describe('bad configuration', () => {
  it('refuses the kernel-api back end on Linux, which has no Kernel API', () => {
    const { machine, memory } = bootSystem('linux', 2);
    expect(() =>
      BufferManager.create({
        machine,
        memory,
        backend: 'kernel-api',
        dataPages: 64,
        poolPages: 16,
      }),
    ).toThrow(
      /backend 'kernel-api' needs a memory system that exposes the Kernel API.*linux does not/,
    );
  });

  it('names bad sizes, back ends and page ids', () => {
    const { machine, memory } = bootSystem('osv-superblock', 2);
    const make = (extra: object) =>
      BufferManager.create({
        machine,
        memory,
        backend: 'posix',
        dataPages: 64,
        poolPages: 16,
        ...extra,
      });
    expect(() => make({ dataPages: 0 })).toThrow(/dataPages 0/);
    expect(() => make({ poolPages: 1.5 })).toThrow(/poolPages 1.5/);
    expect(() => make({ evictBatch: 17 })).toThrow(/evictBatch 17 exceeds poolPages 16/);
    expect(() => make({ backend: 'mmap' })).toThrow(/backend mmap/);
    expect(() => make({ shootdown: 'some' })).toThrow(/shootdown some/);
    expect(() => make({ core: 2 })).toThrow(/core 2 is out of range/);
    const pool = make({});
    expect(() => pool.fixX(0, 64).next()).toThrow(RangeError);
  });

  it('names bad storage figures and workloads', () => {
    const machine = new Machine({ cores: 1 });
    expect(() => new StorageDevice(machine, { readGBps: 0 })).toThrow(/readGBps 0/);
    expect(() => new StorageDevice(machine, { readLatencyUs: -1 })).toThrow(/readLatencyUs -1/);
    expect(() => new WorkloadGenerator({ workload: 'zipf', pages: 10, theta: 1 })).toThrow(
      /theta 1/,
    );
    expect(() => new WorkloadGenerator({ workload: 'uniform', pages: 10, writeRatio: 2 })).toThrow(
      /writeRatio 2/,
    );
  });
});

describe('storage', () => {
  it('charges latency plus transfer, and serialises transfers on the shared bandwidth', () => {
    const machine = new Machine({ cores: 2 });
    const device = new StorageDevice(machine, { readLatencyUs: 10, readGBps: 4.096 });
    const ghz = machine.profile.frequencyGhz.value;
    const first = device.read(0, 1);
    expect(first).toBeCloseTo(10_000 * ghz + 1000 * ghz, 6); // 4096 B at 4.096 GB/s = 1 µs
    // Core 1 at the same time: waits for core 0's transfer before its own.
    expect(device.read(1, 1)).toBeCloseTo(first + 1000 * ghz, 6);
  });
});

describe('workloads', () => {
  it('draws Zipf page ids in range, skewed towards a few pages', () => {
    const stream = new WorkloadGenerator({ workload: 'zipf', pages: 1000, seed: 3 });
    const counts = new Map<number, number>();
    let outside = 0;
    for (let i = 0; i < 20_000; i++) {
      const pid = stream.next();
      if (!(pid >= 0 && pid < 1000)) outside++;
      counts.set(pid, (counts.get(pid) ?? 0) + 1);
    }
    expect(outside).toBe(0);
    const top = [...counts.values()].sort((a, b) => b - a);
    // theta 0.99 over 1000 pages: the hottest page gets ~13% of the draws, the top 10 ~39%.
    expect(top[0] / 20_000).toBeGreaterThan(0.1);
    expect(top.slice(0, 10).reduce((a, b) => a + b) / 20_000).toBeGreaterThan(0.3);
  });
});
