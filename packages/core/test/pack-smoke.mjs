// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/core is installed.
import { AllocError, Ok, parseSize, ReferenceFrameAllocator } from '@unimem/core';

const alloc = new ReferenceFrameAllocator({ frames: 1024, cores: 2 });
const frame = alloc.get(1, 9);
if (frame % 512 !== 0 || alloc.freeFrames() !== 512) throw new Error(`bad huge frame ${frame}`);
if (alloc.put(0, frame, 9) !== Ok) throw new Error('put failed');
if (alloc.put(0, frame, 9) !== AllocError.Address) throw new Error('double free not detected');
if (parseSize('2MiB') !== 2 ** 21) throw new Error('parseSize');
// The testing subpath resolves to dist (running it needs vitest, a peer dependency).
const testing = import.meta.resolve('@unimem/core/testing');
if (!testing.endsWith('/dist/testing/index.js')) throw new Error(`testing entry ${testing}`);
console.log('@unimem/core smoke: ok');
