#!/usr/bin/env node
/**
 * Make sure the system tools the tests, `npm run dev` and the demo use are present: swtpm,
 * swtpm_setup (swtpm-tools), tpm2-tools and openssl; for the device build and its tests
 * (docs/agent.md "Building") dpkg-deb, systemd-analyze, the arm64 strip, qemu-user and the arm64
 * C libraries it runs ARM64 Node with (not needed by `npm run dev`). On a Debian machine as root they are
 * installed with apt-get (what .ci/run does too); otherwise this prints the command and fails.
 * `--optional` only warns (for `npm run dev`, which runs without a TPM).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const NEED = {
  swtpm: 'swtpm',
  swtpm_setup: 'swtpm-tools',
  tpm2_quote: 'tpm2-tools',
  openssl: 'openssl',
}
// command or file -> Debian package, for the device build (npm run build:agent and its tests)
const DEVICE = {
  'dpkg-deb': 'dpkg',
  'systemd-analyze': 'systemd',
  'aarch64-linux-gnu-strip': 'binutils-aarch64-linux-gnu',
  'qemu-aarch64-static': 'qemu-user-static',
  '/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1': 'libc6-arm64-cross',
  '/usr/aarch64-linux-gnu/lib/libstdc++.so.6': 'libstdc++6-arm64-cross',
}
const optional = process.argv.includes('--optional')
const has = (cmd) =>
  cmd.startsWith('/')
    ? existsSync(cmd)
    : spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
const need = optional ? NEED : { ...NEED, ...DEVICE }
const missing = [
  ...new Set(
    Object.entries(need)
      .filter(([cmd]) => !has(cmd))
      .map(([, pkg]) => pkg),
  ),
]
if (missing.length === 0) process.exit(0)

const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`
const root = typeof process.getuid === 'function' && process.getuid() === 0
if (root && has('apt-get') && !optional) {
  console.error(`[aegis] installing system packages: ${missing.join(' ')}`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const up = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  const inst =
    up.status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env })
  if (inst && inst.status === 0) process.exit(0)
  console.error(`[aegis] could not install ${missing.join(' ')}`)
  process.exit(1)
}
console.error(
  `[aegis] missing system packages: ${missing.join(' ')}. Install them with:\n  sudo sh -c '${cmd}'`,
)
process.exit(optional ? 0 : 1)
