/**
 * The batch sequence counter, persisted in the state directory before a number is used, so a
 * crash or restart never reuses one (the collector requires seq to rise strictly).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { AegisError } from '../../attest/errors.ts'
import { writeFileAtomic } from '../state/agent-state.ts'

function seqFile(stateDir: string): string {
  return path.join(stateDir, 'seq')
}

/** The last seq handed out (0 when none yet). */
async function lastSeq(stateDir: string): Promise<number> {
  const file = seqFile(stateDir)
  try {
    const last = Number((await readFile(file, 'utf8')).trim())
    if (!Number.isSafeInteger(last) || last < 0)
      throw new AegisError('ERR_CONFIG', `${file} is corrupt`)
    return last
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw e
  }
}

export async function nextSeq(stateDir: string): Promise<number> {
  const next = (await lastSeq(stateDir)) + 1
  await writeFileAtomic(seqFile(stateDir), String(next) + '\n')
  return next
}

/**
 * Make sure the next seq handed out is above `floor` (the spool's high-water mark at start, or
 * the collector's last accepted seq after ERR_SEQ_REPLAYED): a restored or lost `seq` file must
 * not make the agent reuse numbers. Returns the counter's value afterwards.
 */
export async function advanceSeq(stateDir: string, floor: number): Promise<number> {
  const last = await lastSeq(stateDir)
  if (last >= floor) return last
  await writeFileAtomic(seqFile(stateDir), String(floor) + '\n')
  return floor
}
