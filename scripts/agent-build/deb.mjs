/**
 * A Debian binary package of the agent, built offline with dpkg-deb (files owned by root, no
 * fakeroot needed). Contents, exactly (test/node/agent-package.test.ts checks the list):
 *   /usr/bin/aegis-agent                          the single executable for the architecture
 *   /usr/lib/systemd/system/aegis-agent.service   deploy/aegis-agent.service
 *   /etc/aegis/agent.json                         deploy/agent.json, a conffile
 *   /usr/share/doc/aegis-agent/LICENSE.node       the licence of the Node runtime inside
 * Control files from deploy/debian/ (control template, conffiles, postinst, prerm, postrm), and
 * md5sums.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'

export const PACKAGE_FILES = [
  '/etc/aegis/agent.json',
  '/usr/bin/aegis-agent',
  '/usr/lib/systemd/system/aegis-agent.service',
  '/usr/share/doc/aegis-agent/LICENSE.node',
]

/**
 * @param {{ root: string, outDir: string, exe: string, nodeLicense: string, debArch: string,
 *   version: string, commit: string, nodeVersion: string }} o
 * @returns {string} the .deb path
 */
export function buildDeb(o) {
  const stage = path.join(o.outDir, `deb-${o.debArch}`)
  rmSync(stage, { recursive: true, force: true })
  const put = (from, to, mode) => {
    const dest = path.join(stage, to)
    mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 })
    copyFileSync(from, dest)
    chmodSync(dest, mode)
  }
  const deploy = (f) => path.join(o.root, 'deploy', f)
  put(o.exe, 'usr/bin/aegis-agent', 0o755)
  put(deploy('aegis-agent.service'), 'usr/lib/systemd/system/aegis-agent.service', 0o644)
  put(deploy('agent.json'), 'etc/aegis/agent.json', 0o644)
  put(o.nodeLicense, 'usr/share/doc/aegis-agent/LICENSE.node', 0o644)
  for (const f of ['conffiles']) put(deploy(`debian/${f}`), `DEBIAN/${f}`, 0o644)
  for (const f of ['postinst', 'prerm', 'postrm']) put(deploy(`debian/${f}`), `DEBIAN/${f}`, 0o755)

  const kib = PACKAGE_FILES.reduce(
    (n, f) => n + Math.ceil(statSync(path.join(stage, f)).size / 1024),
    0,
  )
  const control = readFileSync(deploy('debian/control'), 'utf8')
    .replaceAll('@VERSION@', o.version)
    .replaceAll('@ARCH@', o.debArch)
    .replaceAll('@INSTALLED_SIZE@', String(kib))
    .replaceAll('@NODE_VERSION@', o.nodeVersion)
    .replaceAll('@COMMIT@', o.commit)
  writeFileSync(path.join(stage, 'DEBIAN/control'), control, { mode: 0o644 })
  // md5sums, as dh_md5sums writes it (debsums and dpkg --verify read it).
  const md5 = (f) =>
    createHash('md5')
      .update(readFileSync(path.join(stage, f)))
      .digest('hex')
  const sums = PACKAGE_FILES.map((f) => `${md5(f)}  ${f.slice(1)}\n`).join('')
  writeFileSync(path.join(stage, 'DEBIAN/md5sums'), sums, { mode: 0o644 })

  const deb = path.join(o.outDir, `aegis-agent_${o.version}_${o.debArch}.deb`)
  // xz -1: every dpkg reads it; 31 MB in about 25 s here, where -6 saves 4 MB for 100 s more.
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '-z1', '--build', stage, deb], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  rmSync(stage, { recursive: true, force: true })
  return deb
}
