import { defineConfig } from 'vitest/config';

// Real tools (Packer, pip, moto) run in these tests: allow them time.
export default defineConfig({
  test: { testTimeout: 300_000, hookTimeout: 300_000 },
});
