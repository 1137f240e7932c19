/**
 * The version and git commit this CLI was built from. `npm run build:agent`
 * (scripts/build-agent.mjs)
 * replaces the two build-time constants below with string literals through esbuild's `define`; run
 * from source (tsx) they are undeclared, and the version comes from package.json and the commit
 * from git, or 'unknown'. Nothing here reads process.env, so a bundle's answer cannot be changed
 * by its environment.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

declare const __AEGIS_VERSION__: string | undefined
declare const __AEGIS_COMMIT__: string | undefined

export interface BuildInfo {
  /** package.json "version", e.g. "0.1.0" */
  version: string
  /** short git commit, with "-dirty" when the tree had changes; 'unknown' outside a checkout */
  commit: string
  /** 'bundle' when built by build:agent, 'source' when run through tsx */
  build: 'bundle' | 'source'
}

export function buildInfo(): BuildInfo {
  if (typeof __AEGIS_VERSION__ === 'string' && typeof __AEGIS_COMMIT__ === 'string') {
    return { version: __AEGIS_VERSION__, commit: __AEGIS_COMMIT__, build: 'bundle' }
  }
  return sourceInfo()
}

/** One line for `--version`: name, version, commit, the Node running it and its platform. */
export function versionLine(name: string): string {
  const b = buildInfo()
  const node = `node ${process.version} ${process.platform}-${process.arch}`
  return `${name} ${b.version} (commit ${b.commit}, ${b.build}; ${node})\n`
}

function sourceInfo(): BuildInfo {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8')) as { version: string }
  let commit = 'unknown'
  try {
    commit = execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    /* not a git checkout */
  }
  return { version: pkg.version, commit, build: 'source' }
}

/** `aegis --version`: the version and the commit (null when unknown). */
export function cliVersion(): { version: string; commit: string | null } {
  const b = buildInfo()
  return { version: b.version, commit: b.commit === 'unknown' ? null : b.commit }
}
