// The shared settings, with checked frees on (UNIMEM_CHECKED=1, frame-check.ts): every test of
// this package fails a framesFree of frames that a mapping still uses.
import { mergeConfig } from 'vitest/config';
import base from '../../vitest.base.js';

export default mergeConfig(base, { test: { env: { UNIMEM_CHECKED: '1' } } });
