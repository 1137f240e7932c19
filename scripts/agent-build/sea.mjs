/**
 * A Node single executable application (https://nodejs.org/api/single-executable-applications.html)
 * from the CommonJS bundle: the preparation blob is written by the pinned Node (the same version as
 * every runtime it goes into; no code cache or snapshot, so one blob serves every architecture),
 * then injected with postject into a copy of each architecture's runtime.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'

/**
 * @param {{ root: string, node: string, main: string, blob: string }} o
 *   node: a Node binary of the pinned version that runs on this machine
 */
export function writeSeaBlob(o) {
  const config = o.blob + '.json'
  writeFileSync(
    config,
    JSON.stringify({
      main: o.main,
      output: o.blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
    }),
  )
  execFileSync(o.node, ['--experimental-sea-config', config], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  rmSync(config)
}

/** Inject `blob` into a copy of `runtime` written to `out`. */
export function injectSea(root, runtime, blob, out) {
  copyFileSync(runtime, out)
  chmodSync(out, 0o755)
  const postject = path.join(root, 'node_modules/postject/dist/cli.js')
  // postject (LIEF) prints a warning per ELF note it cannot name; show its output only on failure.
  const r = spawnSync(
    process.execPath,
    [postject, out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE],
    {
      encoding: 'utf8',
    },
  )
  if (r.status !== 0) throw new Error(`postject failed on ${out}:\n${r.stdout}${r.stderr}`)
}
