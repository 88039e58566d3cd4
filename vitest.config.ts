import { defineConfig } from 'vitest/config';

// Three projects:
//  - unit:     pure functions, run once.
//  - pglite / postgres: every file under test/db runs twice, once per database
//    (FAULTLINE_TEST_DB selects it; see test/helpers/db.ts). Each file gets a fresh database.
//  - e2e:      starts the real server as a child process (and a browser, later).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'pglite', include: ['test/db/**/*.test.ts'], env: { FAULTLINE_TEST_DB: 'pglite' } } },
      { extends: true, test: { name: 'postgres', include: ['test/db/**/*.test.ts'], env: { FAULTLINE_TEST_DB: 'postgres' } } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, fileParallelism: false } },
    ],
  },
});
