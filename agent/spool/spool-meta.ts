/**
 * The spool's bookkeeping (`spool/meta.json`): lifetime counters, plus the two high-water marks
 * and the drop intent that make those counters exact across crashes:
 *  - lastProducedSeq: entries above it found on open were written but not yet counted;
 *  - lastSettledSeq: the sender settles entries in seq order and writes this mark *before*
 *    unlinking the entry, so an entry at or below it found on open was settled and is removed
 *    without being sent (or counted) again;
 *  - pendingDrop: oldest-first drops are recorded here before their files are unlinked, so a
 *    crash in between finishes the drop on open instead of resending.
 * Written atomically (writeFileAtomic). Leaves out history beyond counters (the log has it).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { AegisError } from '../../attest/errors.ts'
import { writeFileAtomic } from '../state/agent-state.ts'

export interface SpoolCounters {
  /** Batches written to the spool. */
  produced: number
  /** Accepted by the collector (202, or 200 for a retry of an already accepted batch). */
  accepted: number
  /** Permanently rejected by the collector and removed (see rejectedByCode). */
  rejected: number
  /** Removed unsent, oldest first, because the spool hit its limits. */
  dropped: number
  /** Unreadable entries moved to spool/corrupt/. */
  quarantined: number
  rejectedByCode: Record<string, number>
}

export interface SpoolMeta extends SpoolCounters {
  version: 1
  lastProducedSeq: number
  lastSettledSeq: number
  pendingDrop: number[]
}

export function emptyMeta(): SpoolMeta {
  return {
    version: 1,
    produced: 0,
    accepted: 0,
    rejected: 0,
    dropped: 0,
    quarantined: 0,
    rejectedByCode: {},
    lastProducedSeq: 0,
    lastSettledSeq: 0,
    pendingDrop: [],
  }
}

export function metaPath(dir: string): string {
  return path.join(dir, 'meta.json')
}

export async function loadMeta(dir: string): Promise<SpoolMeta> {
  let text: string
  try {
    text = await readFile(metaPath(dir), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyMeta()
    throw new AegisError('ERR_IO', `cannot read ${metaPath(dir)}`, { cause: e })
  }
  try {
    const m = JSON.parse(text) as SpoolMeta
    if (
      m.version !== 1 ||
      !Number.isSafeInteger(m.lastSettledSeq) ||
      !Array.isArray(m.pendingDrop)
    ) {
      throw new Error('unknown spool meta version')
    }
    return { ...emptyMeta(), ...m }
  } catch (e) {
    throw new AegisError('ERR_CONFIG', `${metaPath(dir)} is not a valid spool meta file`, {
      cause: e,
    })
  }
}

export async function saveMeta(dir: string, m: SpoolMeta): Promise<void> {
  await writeFileAtomic(metaPath(dir), JSON.stringify(m) + '\n')
}
