// Benchmarks of @unimem/linux in the hardware model (`pnpm --filter @unimem/linux bench
// [--quick]`). All figures are simulated, so they are deterministic; host time is not measured.
// Every run goes through the one frame-benchmark loop of @unimem/hw/frame-bench.
// (a) Calibration: the LLFree artifact's single-core benchmarks on xeon-gold-5320, simulated vs
//     published ns per operation, for the buddy allocator (role `fitted`: its per-operation
//     costs were fitted to these rows; `prediction`: not) and, beside it, LLFree with its own
//     fitted per-call costs (@unimem/llfree).
// (b) Prediction: bulk order-0 on 1..26 cores of xeon-gold-5320 and 1..64 of the default
//     profile: cycles per alloc and per free with the zone-lock wait and the line transfers per
//     operation that explain them, LLFree beside it. Not fitted to anything.

import { builtinProfile, defaultProfile, type Profile } from '@unimem/hw';
import {
  type CalibrationSubject,
  calibrate,
  calibrationLines,
  type FrameAllocatorFactory,
  fittedOutsideTolerance,
  perOp,
  phaseOf,
  runFrameBench,
} from '@unimem/hw/frame-bench';
import { publishedLLFree, simulatedLLFree } from '@unimem/llfree';
import { buddySubject } from '../src/index.js';

const quick = process.argv.includes('--quick');
const MiB = 2 ** 20;

const llfree: CalibrationSubject = {
  create: (machine, options) => simulatedLLFree(machine, options),
  published: publishedLLFree,
};

const num = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const row = (cells: Array<string | number>, widths: number[]) =>
  cells.map((c, i) => String(c).padStart(widths[i])).join(' ');

function calibrationTable(): void {
  const bytesPerCore = quick ? 256 * MiB : undefined;
  console.log(
    `(a) calibration: xeon-gold-5320, 1 core, ${quick ? '256 MiB per core (--quick: fitted rows hold at 1 GiB only)' : 'the calibration size (1 GiB per core)'}`,
  );
  const rows = calibrate([buddySubject(), llfree], { bytesPerCore });
  for (const line of calibrationLines(rows)) console.log(`  ${line}`);
  const off = fittedOutsideTolerance(rows);
  console.log(
    off.length === 0
      ? '  every fitted row is within 15 % of its published figure; predictions are not fitted.\n'
      : `  ${off.length} fitted row(s) outside 15 %: re-run bench/fit-costs.ts\n`,
  );
}

function bulkPhases(create: FrameAllocatorFactory, profile: Profile, cores: number) {
  const bytesPerCore = quick ? 32 * MiB : 128 * MiB;
  const result = runFrameBench(create, {
    bench: 'bulk',
    order: 0,
    cores,
    allocs: bytesPerCore / 4096,
    profile,
  });
  return { alloc: phaseOf(result, 'alloc'), free: phaseOf(result, 'free') };
}

function scalingTable(profile: Profile, coreCounts: number[]): void {
  console.log(
    `(b) prediction: bulk o0 on ${profile.name} (${profile.frequencyGhz.value} GHz), ` +
      `${quick ? 32 : 128} MiB per core; per operation: cycles, zone-lock wait cycles, ` +
      'line transfers',
  );
  const widths = [5, 9, 9, 7, 9, 9, 7, 10, 10];
  console.log(
    row(
      [
        'cores',
        'alloc',
        'lockwait',
        'xfers',
        'free',
        'lockwait',
        'xfers',
        'llfree-al',
        'llfree-fr',
      ],
      widths,
    ),
  );
  for (const cores of coreCounts) {
    const b = bulkPhases(buddySubject().create, profile, cores);
    const l = bulkPhases(llfree.create, profile, cores);
    console.log(
      row(
        [
          cores,
          num(b.alloc.cycles, 0),
          num(perOp(b.alloc, 'lockWaitCycles'), 0),
          num(perOp(b.alloc, 'lineTransfers'), 2),
          num(b.free.cycles, 0),
          num(perOp(b.free, 'lockWaitCycles'), 0),
          num(perOp(b.free, 'lineTransfers'), 2),
          num(l.alloc.cycles, 0),
          num(l.free.cycles, 0),
        ],
        widths,
      ),
    );
  }
  console.log('');
}

calibrationTable();
scalingTable(
  builtinProfile('xeon-gold-5320'),
  quick ? [1, 2, 8, 26] : [1, 2, 4, 8, 12, 16, 20, 26],
);
scalingTable(defaultProfile, quick ? [1, 8, 32, 64] : [1, 2, 4, 8, 16, 24, 32, 48, 64]);
