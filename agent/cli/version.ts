/**
 * `aegis --version`: the package version and the git commit it was built from. A bundled build
 * (agent packaging, esbuild) defines AEGIS_BUILD_VERSION / AEGIS_BUILD_COMMIT at build time; run
 * from the source tree, the version is the one below (kept equal to package.json by a test) and
 * the commit is asked of git, if there is one. Never fails: unknown parts are left out.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

declare const AEGIS_BUILD_VERSION: string | undefined
declare const AEGIS_BUILD_COMMIT: string | undefined

/** Must equal package.json "version" (test/node/cli-help.test.ts checks). */
export const SOURCE_VERSION = '0.1.0'

export function cliVersion(): { version: string; commit: string | null } {
  const version = typeof AEGIS_BUILD_VERSION === 'string' ? AEGIS_BUILD_VERSION : SOURCE_VERSION
  return { version, commit: typeof AEGIS_BUILD_COMMIT === 'string' ? AEGIS_BUILD_COMMIT : gitCommit() }
}

function gitCommit(): string | null {
  try {
    const cwd = fileURLToPath(new URL('.', import.meta.url))
    const out = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    }).trim()
    return /^[0-9a-f]{7,40}$/.test(out) ? out : null
  } catch {
    return null
  }
}
