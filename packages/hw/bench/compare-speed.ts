// Paired speed comparison of this checkout's hardware model with another checkout's
// (`npx tsx bench/compare-speed.ts /path/to/other/checkout [rounds]`, from packages/hw). On a
// shared, loaded host two separate runs differ by more than most optimisations gain, so both
// models are loaded into this one process and each measurement alternates between them, round by
// round (paired.ts); the table gives medians and the ratio this / other in operations per host
// CPU second (> 1: this is faster). Cases: the bench's access mix (index.ts (a)) called directly
// and through machine.run, empty scheduler steps, and random line accesses over a frame
// benchmark's number of lines.

import * as here from '../src/index.js';
import { accessStream, CORES, runStream, STREAM, streamProgram, WORDS } from './access-mix.js';
import { type Hw, otherFromArgv, type PairedCase, printPaired } from './paired.js';

const { other, rounds } = await otherFromArgv('compare-speed.ts');

/** Lines of a large machine (a page-range frame benchmark at 8 GiB holds ~5 M). */
const MANY_LINES = 5_000_000;
const RANDOM_ACCESSES = 1 << 20;

const stream = accessStream();
const randomLines = new Int32Array(RANDOM_ACCESSES);
for (let i = 0, x = 12345; i < RANDOM_ACCESSES; i++) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  randomLines[i] = (x >>> 0) % MANY_LINES;
}

/** One body per case (each does `perCall` operations) over one model. */
function cases(hw: Hw): PairedCase[] {
  const direct = new hw.Machine({ cores: CORES });
  const directWords = new hw.TracedWords(direct, new SharedArrayBuffer(4 * WORDS));
  const scheduled = new hw.Machine({ cores: CORES });
  const scheduledWords = new hw.TracedWords(scheduled, new SharedArrayBuffer(4 * WORDS));
  const empty = new hw.Machine({ cores: CORES });
  const big = new hw.Machine({ cores: 8 });
  for (let n = 0; n < MANY_LINES; n += 20480) big.lines.allocLines(20480, 'frames');
  // 64 cores: each core's private-cache tags (2 × 16 Ki slots) are 128 KiB more host memory.
  const wide = new hw.Machine({ cores: 64 });
  for (let n = 0; n < MANY_LINES; n += 20480) wide.lines.allocLines(20480, 'frames');
  return [
    {
      name: 'access mix, direct',
      perCall: STREAM,
      body: () => runStream(directWords, direct, stream),
    },
    {
      name: 'access mix, machine.run',
      perCall: STREAM,
      body: () => scheduled.run(streamProgram(scheduledWords, stream)),
    },
    {
      name: 'scheduler steps (no accesses)',
      perCall: CORES * 4096,
      body: () => {
        empty.run((core) =>
          (function* () {
            for (let step = 0; step < 4096; step++) {
              empty.charge(10 + ((step + core) & 3), core);
              yield;
            }
          })(),
        );
      },
    },
    {
      name: `random accesses over ${MANY_LINES / 1e6} M lines`,
      perCall: RANDOM_ACCESSES,
      body: () => {
        const { lines } = big;
        for (let i = 0; i < RANDOM_ACCESSES; i++) {
          big.current = i & 7;
          if ((i & 1) === 0) lines.read(randomLines[i]);
          else lines.write(randomLines[i]);
        }
      },
    },
    {
      name: `the same at 64 cores`,
      perCall: RANDOM_ACCESSES,
      body: () => {
        const { lines } = wide;
        for (let i = 0; i < RANDOM_ACCESSES; i++) {
          wide.current = (i * 7) & 63;
          if ((i & 1) === 0) lines.read(randomLines[i]);
          else lines.write(randomLines[i]);
        }
      },
    },
  ];
}

printPaired('paired speed', cases(here), cases(other), rounds);
