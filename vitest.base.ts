// Shared vitest settings of every package (each package's vitest.config.ts re-exports this).
// Timeouts are generous because CI and development machines here have 2 cores shared by many
// processes: property and stress tests are slow under load, and timing is never asserted.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
