// Benchmarks of @unimem/linux in the hardware model (`pnpm --filter @unimem/linux bench
// [--quick]`). All figures are simulated, so they are deterministic; host time is not measured.
// (a) Calibration: the LLFree paper's single-core benchmarks on xeon-gold-5320, simulated vs
//     published ns per operation, for the buddy allocator (whose per-operation costs were
//     fitted to these rows) and, as the baseline beside it, LLFree (TracedWords, no fitted
//     costs: its own calibration belongs to @unimem/llfree).
// (b) Prediction: bulk order-0 on 1..26 cores of xeon-gold-5320 and 1..64 of the default
//     profile: cycles per alloc and per free with the zone-lock wait and the line transfers per
//     operation that explain them, LLFree beside it. Not fitted to anything.

import { builtinProfile, defaultProfile, type Profile, TracedWords } from '@unimem/hw';
import { LLFree } from '@unimem/llfree';
import {
  buddySubject,
  type CalibrationSubject,
  calibrate,
  predictBulkScaling,
  publishedLLFree,
} from '../src/index.js';

const quick = process.argv.includes('--quick');
const MiB = 2 ** 20;

const llfree: CalibrationSubject = {
  name: 'llfree',
  create: (machine, { frames, cores }) =>
    LLFree.create({ frames, cores, words: (buffer) => new TracedWords(machine, buffer) }),
  published: publishedLLFree,
};

const num = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const row = (cells: Array<string | number>, widths: number[]) =>
  cells.map((c, i) => String(c).padStart(widths[i])).join(' ');

function calibrationTable(): void {
  const profile = builtinProfile('xeon-gold-5320');
  const bytesPerCore = quick ? 256 * MiB : 1024 * MiB;
  console.log(
    `(a) calibration: ${profile.name}, 1 core, ${bytesPerCore / MiB} MiB per core, ` +
      'ns per operation',
  );
  const widths = [8, 7, 6, 6, 10, 10, 7];
  console.log(row(['alloc', 'bench', 'order', 'op', 'simulated', 'published', 'ratio'], widths));
  for (const r of calibrate({ profile, bytesPerCore, subjects: [buddySubject(), llfree] })) {
    console.log(
      row(
        [
          r.allocator,
          r.bench,
          r.order,
          r.op,
          num(r.simulatedNs),
          num(r.publishedNs),
          num(r.ratio, 2),
        ],
        widths,
      ),
    );
  }
  console.log('  buddy rows rand o0 free and all llfree rows are predictions, not fitted.\n');
}

function scalingTable(profile: Profile, coreCounts: number[]): void {
  const bytesPerCore = quick ? 32 * MiB : 128 * MiB;
  const buddy = predictBulkScaling({ profile, coreCounts, bytesPerCore });
  const baseline = predictBulkScaling({ profile, coreCounts, bytesPerCore, subject: llfree });
  console.log(
    `(b) prediction: bulk o0 on ${profile.name} (${profile.frequencyGhz.value} GHz), ` +
      `${bytesPerCore / MiB} MiB per core; per operation: cycles, zone-lock wait cycles, ` +
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
  buddy.forEach((b, i) => {
    console.log(
      row(
        [
          b.cores,
          num(b.alloc.cycles, 0),
          num(b.alloc.lockWaitCycles, 0),
          num(b.alloc.lineTransfers, 2),
          num(b.free.cycles, 0),
          num(b.free.lockWaitCycles, 0),
          num(b.free.lineTransfers, 2),
          num(baseline[i].alloc.cycles, 0),
          num(baseline[i].free.cycles, 0),
        ],
        widths,
      ),
    );
  });
  console.log('');
}

calibrationTable();
scalingTable(
  builtinProfile('xeon-gold-5320'),
  quick ? [1, 2, 8, 26] : [1, 2, 4, 8, 12, 16, 20, 26],
);
scalingTable(defaultProfile, quick ? [1, 8, 32, 64] : [1, 2, 4, 8, 16, 24, 32, 48, 64]);
