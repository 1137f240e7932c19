/**
 * Where the bench's collectors keep their local state (D1, R2, Durable Objects, queues), and what
 * file system that is. Every Durable Object commit and D1 write is a SQLite commit that local
 * workerd flushes with fsync, on its one thread: on this machine's virtual disk one fsync takes
 * 0.2-0.5 ms, and an admission makes one, so on disk the runtime thread spends up to a third of
 * its time blocked in the kernel (docs/benchmarks.md, "Disk flushes"). Deployed, a Durable Object
 * commit is replicated without blocking any thread that serves other requests, so the bench keeps
 * state in memory by default (`/dev/shm`) and measures the work; `--state-dir DIR` puts it
 * anywhere else (a disk, to measure with the flushes). Each collector still makes a fresh
 * directory under it and removes it when stopped.
 */
import { accessSync, constants, statfsSync, statSync } from 'node:fs'
import os from 'node:os'

/** statfs f_type magic numbers (linux/magic.h) of the file systems worth naming. */
const FS_NAMES: Record<number, string> = {
  0x01021994: 'tmpfs',
  0x858458f6: 'ramfs',
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x794c7630: 'overlayfs',
  0x6969: 'nfs',
}

function usableDir(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false
    accessSync(dir, constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** `--state-dir` if given (it must be a writable directory), else /dev/shm, else the tmpdir. */
export function resolveStateDir(given: string | undefined): string {
  if (given !== undefined) {
    if (!usableDir(given)) throw new Error(`--state-dir ${given} is not a writable directory`)
    return given
  }
  return usableDir('/dev/shm') ? '/dev/shm' : os.tmpdir()
}

/** The file system type of `dir` by name ('tmpfs', 'ext4', ...), or its magic number in hex. */
export function fileSystemOf(dir: string): string {
  try {
    const t = statfsSync(dir).type
    return FS_NAMES[t] ?? `0x${t.toString(16)}`
  } catch {
    return 'unknown'
  }
}
