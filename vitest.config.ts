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
    reporters: ['default'],
  },
});
