// The tsup build every package shares: ESM with .d.ts and source maps into dist/. A package's
// tsup.config.ts passes its entry points (and externals, if any).
import { defineConfig, type Options } from 'tsup';

export function packageBuild(entry: Options['entry'], extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    ...extra,
  });
}
