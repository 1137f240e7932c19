#!/usr/bin/env node
/**
 * `npm run build:agent`: the agent for devices, in dist/agent/ (gitignored):
 *   aegis-agent.mjs                 the whole CLI as one ES module (node: imports only), Node >= 20
 *   aegis-agent-linux-x64, -arm64   single executables (the Node runtime inside)
 *   aegis-agent_<version>_amd64.deb, _arm64.deb   Debian packages (scripts/agent-build/deb.mjs)
 *   build.json                      version, commit, Node version, file sizes
 * Flags: --bundle-only (just the .mjs: no download), --arch x64|arm64 (repeatable; default both),
 * --no-deb (executables only), --out DIR (instead of dist/agent; the tests build into temp dirs).
 * The Node runtimes come from the npm registry once (scripts/agent-build/node-runtime.mjs).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { bundleAgent } from './agent-build/bundle.mjs'
import { buildDeb } from './agent-build/deb.mjs'
import { ARCHES, nodeRuntime, pinnedNodeVersion } from './agent-build/node-runtime.mjs'
import { injectSea, writeSeaBlob } from './agent-build/sea.mjs'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const { values: flags } = parseArgs({
  options: {
    'bundle-only': { type: 'boolean' },
    'no-deb': { type: 'boolean' },
    arch: { type: 'string', multiple: true },
    out: { type: 'string' },
  },
})
const out = path.resolve(flags.out ?? path.join(root, 'dist/agent'))
const log = (s) => console.error(`build:agent: ${s}`)

function gitCommit() {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return 'unknown'
  }
}

/** The executable and (unless --no-deb) the package for each architecture. */
async function buildExecutables(meta, files) {
  const cjs = path.join(out, 'aegis-agent.cjs')
  await bundleAgent({ root, outfile: cjs, format: 'cjs', ...meta })
  const blob = path.join(out, 'aegis-agent.sea-blob')
  // The blob must be written by the runtimes' Node version: the x64 one runs here.
  writeSeaBlob({ node: nodeRuntime(root, 'x64', meta.nodeVersion).node, main: cjs, blob })
  for (const arch of flags.arch ?? Object.keys(ARCHES)) {
    if (!ARCHES[arch]) throw new Error(`--arch: unknown architecture ${arch}`)
    const rt = nodeRuntime(root, arch, meta.nodeVersion)
    const exe = path.join(out, `aegis-agent-linux-${arch}`)
    injectSea(root, rt.node, blob, exe)
    files[path.basename(exe)] = statSync(exe).size
    log(path.relative(root, exe))
    if (flags['no-deb']) continue
    const deb = buildDeb({
      root,
      outDir: out,
      exe,
      nodeLicense: rt.license,
      debArch: ARCHES[arch].deb,
      ...meta,
    })
    files[path.basename(deb)] = statSync(deb).size
    log(path.relative(root, deb))
  }
  rmSync(blob)
  rmSync(cjs)
}

const t0 = Date.now()
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version
const meta = { version, commit: gitCommit(), nodeVersion: pinnedNodeVersion(root) }
mkdirSync(out, { recursive: true })
const mjs = path.join(out, 'aegis-agent.mjs')
await bundleAgent({ root, outfile: mjs, format: 'esm', version, commit: meta.commit })
const files = { 'aegis-agent.mjs': statSync(mjs).size }
log(`${path.relative(root, mjs)} (${files['aegis-agent.mjs']} bytes, ${version} ${meta.commit})`)
if (!flags['bundle-only']) await buildExecutables(meta, files)
writeFileSync(path.join(out, 'build.json'), JSON.stringify({ ...meta, files }, null, 2) + '\n')
log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
