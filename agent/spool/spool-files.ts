/**
 * The spool's on-disk entries: one file per batch, `<seq as 16 digits>.json`, holding the exact
 * payload bytes that will be quoted and sent (never re-serialised). Written through a temp file,
 * fsync, rename and a directory fsync (writeFileAtomic), so after a crash an entry either exists
 * whole or not at all; removal is unlink plus a directory fsync. Zero-padded names sort in seq
 * order. Leftover `*.tmp` files are torn writes from a crash and are deleted on open.
 * Leaves out compression and encryption at rest (payloads are metrics the collector stores in
 * clear anyway; the state directory is mode 0700).
 */
import { mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import { AegisError } from '../../attest/errors.ts'
import { writeFileAtomic } from '../state/agent-state.ts'

const ENTRY = /^(\d{16})\.json$/

export function entryName(seq: number): string {
  return String(seq).padStart(16, '0') + '.json'
}

export interface EntryInfo {
  seq: number
  size: number
}

/**
 * Entries in seq order. With `repair` (only the spool's owner, at open) the directory is created
 * and torn temp files are removed; a reader must not, since the owner may be mid-write.
 */
export async function listEntries(dir: string, o: { repair?: boolean } = {}): Promise<EntryInfo[]> {
  if (o.repair) await mkdir(dir, { recursive: true, mode: 0o700 })
  const out: EntryInfo[] = []
  for (const name of await readdir(dir)) {
    if (name.endsWith('.tmp')) {
      if (o.repair) await unlink(path.join(dir, name)).catch(() => undefined)
      continue
    }
    const m = ENTRY.exec(name)
    if (!m) continue
    // An entry settled by the owner between readdir and stat is simply gone.
    const s = await stat(path.join(dir, name)).catch(() => undefined)
    if (s) out.push({ seq: Number(m[1]), size: s.size })
  }
  return out.sort((a, b) => a.seq - b.seq)
}

export async function writeEntry(dir: string, seq: number, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path.join(dir, entryName(seq)), bytes)
  } catch (e) {
    throw new AegisError('ERR_IO', `cannot write spool entry ${seq}: ${(e as Error).message}`, {
      cause: e,
    })
  }
}

export async function readEntry(dir: string, seq: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path.join(dir, entryName(seq))))
  } catch (e) {
    throw new AegisError('ERR_IO', `cannot read spool entry ${seq}: ${(e as Error).message}`, {
      cause: e,
    })
  }
}

/** Unlink entries (missing ones are fine: removal is idempotent), then fsync the directory once. */
export async function removeEntries(dir: string, seqs: number[]): Promise<void> {
  if (seqs.length === 0) return
  for (const seq of seqs) {
    await unlink(path.join(dir, entryName(seq))).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT')
        throw new AegisError('ERR_IO', `cannot remove spool entry ${seq}`, { cause: e })
    })
  }
  await syncDir(dir)
}

/** Move an unreadable entry aside (spool/corrupt/) so it stops blocking the queue but is kept. */
export async function quarantineEntry(dir: string, seq: number): Promise<void> {
  const to = path.join(dir, 'corrupt')
  await mkdir(to, { recursive: true, mode: 0o700 })
  await rename(path.join(dir, entryName(seq)), path.join(to, entryName(seq))).catch(() => undefined)
  await syncDir(dir)
}

export async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r')
  try {
    await dh.sync()
  } finally {
    await dh.close()
  }
}
