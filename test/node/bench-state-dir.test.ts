/**
 * Where the bench keeps its collectors' state (bench/harness/state-dir.ts): an explicit
 * --state-dir must be a writable directory, the default is /dev/shm when it is one (else the
 * tmpdir), and the file system is named from statfs, so a run's JSON says whether its Durable
 * Object commits went to a disk.
 */
import { chmodSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fileSystemOf, resolveStateDir } from '../../bench/harness/state-dir.ts'

const scratch = mkdtempSync(path.join(tmpdir(), 'aegis-state-dir-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('bench state directory', () => {
  it('takes a writable directory as given', () => {
    expect(resolveStateDir(scratch)).toBe(scratch)
  })

  it('refuses a missing path, a file, and (as non-root) a read-only directory', () => {
    expect(() => resolveStateDir(path.join(scratch, 'missing'))).toThrow(/not a writable directory/)
    const file = path.join(scratch, 'file')
    writeFileSync(file, 'x')
    expect(() => resolveStateDir(file)).toThrow(/not a writable directory/)
    if (process.getuid?.() !== 0) {
      const ro = mkdtempSync(path.join(scratch, 'ro-'))
      chmodSync(ro, 0o500)
      expect(() => resolveStateDir(ro)).toThrow(/not a writable directory/)
    }
  })

  it('defaults to /dev/shm when it is a writable directory, else the tmpdir', () => {
    const d = resolveStateDir(undefined)
    let shm = false
    try {
      resolveStateDir('/dev/shm')
      shm = true
    } catch {
      /* no usable /dev/shm here */
    }
    expect(d).toBe(shm ? '/dev/shm' : tmpdir())
  })

  it('names the file system from its statfs type', () => {
    const t = statfsSync(scratch).type
    const name = fileSystemOf(scratch)
    if (t === 0x01021994) expect(name).toBe('tmpfs')
    else if (t === 0xef53) expect(name).toBe('ext4')
    else expect(name.length).toBeGreaterThan(0)
    let shmType: number | null = null
    try {
      shmType = statfsSync('/dev/shm').type
    } catch {
      /* no /dev/shm here */
    }
    if (shmType === 0x01021994) expect(fileSystemOf('/dev/shm')).toBe('tmpfs')
    expect(fileSystemOf(path.join(scratch, 'missing'))).toBe('unknown')
  })
})
