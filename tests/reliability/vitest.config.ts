import { defineConfig } from 'vitest/config';

// The suite runs the bundled actions, real Packer and moto: allow them time,
// and run files one at a time so that timings stay honest on a 2-core machine.
export default defineConfig({
  test: { testTimeout: 180_000, hookTimeout: 60_000, fileParallelism: false },
});
