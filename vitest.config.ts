import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code they test (src/**/*.test.ts); tests that start
// real servers (s3rver, the companion on a socket, the CLI) live in test/.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
