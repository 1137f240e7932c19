/**
 * Browser tests of the web console (`npm run test:e2e`, after the main suite in .ci/run): a real
 * collector (wrangler dev serving console/dist as static assets), agents on swtpm, and Debian's
 * chromium driven by playwright-core. Kept out of `npm test` because it needs a browser and a
 * minute or two; screenshots go to test-results/e2e/.
 */
import path from 'node:path'
import { defineConfig } from 'vitest/config'

const root = path.dirname(new URL(import.meta.url).pathname)

export default defineConfig({
  resolve: { alias: { '@shared': process.env.AEGIS_SHARED ?? path.resolve(root, '../shared') } },
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 300_000,
  },
})
