/**
 * Test projects:
 *  - workerd: the worker and the attest library, run inside workerd by @cloudflare/vitest-plugin
 *    with local D1/R2/DO/Queue bindings (outbound network fails closed there).
 *  - node: the agent, the CLI and swtpm integration tests.
 * Binary fixtures are imported as `import b from '@shared/vectors/x.bin?bytes'` (a Uint8Array),
 * so the same vector files work in workerd, which has no filesystem.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig, type Plugin } from 'vitest/config'
import { DEV_ACCESS_AUDIENCE, DEV_ACCESS_ISSUER, makeDevVars } from './scripts/dev-vars.mjs'

const root = path.dirname(new URL(import.meta.url).pathname)
const shared = process.env.AEGIS_SHARED ?? path.resolve(root, '../shared')

function bytesImport(): Plugin {
  return {
    name: 'aegis-bytes-import',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (!id.endsWith('?bytes')) return null
      const r = await this.resolve(id.slice(0, -6), importer, { skipSelf: true })
      return r ? '\0bytes:' + r.id : null
    },
    load(id) {
      if (!id.startsWith('\0bytes:')) return null
      const file = id.slice(7)
      this.addWatchFile(file)
      const b64 = readFileSync(file).toString('base64')
      return `const s = atob(${JSON.stringify(b64)}); const b = new Uint8Array(s.length);
for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i); export default b;`
    },
  }
}

const alias = { '@shared': shared }

// D1 schema for the workerd project, applied by test/worker/apply-migrations.ts before each file.
const migrations = await readD1Migrations(path.join(root, 'migrations'))

// Fresh keys per run, never written to disk: the collector signing set, the dev admin key tests
// mint role tokens with, and the public set the worker trusts for them (scripts/dev-vars.mjs).
const testKeys = await makeDevVars()

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          bytesImport(),
          cloudflareTest({
            // [env.dev]: the development rate limits (docs/rate-limits.md), ENVIRONMENT overridden below.
            wrangler: { configPath: './wrangler.toml', environment: 'dev' },
            miniflare: {
              bindings: {
                ENVIRONMENT: 'test',
                TRUST_DOMAIN: 'aegis.dev.local',
                TEST_MIGRATIONS: migrations,
                ...testKeys,
                ACCESS_ISSUER: DEV_ACCESS_ISSUER,
                ACCESS_AUDIENCE: DEV_ACCESS_AUDIENCE,
              },
            },
          }),
        ],
        resolve: { alias },
        test: {
          name: 'workerd',
          setupFiles: ['./test/worker/apply-migrations.ts'],
          include: [
            'test/worker/**/*.test.ts',
            'test/attest/**/*.test.ts',
            'test/wasm/**/*.test.ts',
          ],
        },
      },
      {
        plugins: [bytesImport()],
        resolve: { alias },
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/node/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
