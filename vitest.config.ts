import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the run, not one JVM per file.
    globalSetup: ['test/global-setup.ts'],
    // Adapter and component tests start real emulators (DynamoDB Local is a JVM); give them room on 2-core CI.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Both cores: most files wait on sockets, pacing and emulators, not the CPU (the default, cores - 1, ran one
    // file at a time on 2-core CI). Tests that need the CPU to themselves must not assume it (density.test.ts).
    maxWorkers: 2,
    reporters: ['default'],
  },
});
