/**
 * The agent's operational status. The running agent keeps `status.json` in its state directory
 * (last success, last error, last rejection, batches skipped for want of a fix; written
 * atomically); readAgentStatus() joins it with what the directory itself says (enrolled:
 * state.json; spool depth and lifetime counters: spool/; running: agent.pid) for
 * `aegis agent status`. Reading never needs the agent to be up.
 * Leaves out history: the structured log has every event.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { AegisError } from '../../attest/errors.ts'
import { listEntries } from '../spool/spool-files.ts'
import { loadMeta, type SpoolMeta } from '../spool/spool-meta.ts'
import { loadState, writeFileAtomic } from '../state/agent-state.ts'
import { lockHolder } from './state-lock.ts'

export interface ErrorRecord {
  at: string
  code: string
  message: string
  seq?: number
}

export interface RunStatus {
  version: 1
  pid: number | null
  startedAt: string | null
  stoppedAt: string | null
  lastSuccess: string | null
  lastError: ErrorRecord | null
  lastRejection: ErrorRecord | null
  skippedNoFix: number
}

export interface AgentStatusReport {
  enrolled: boolean
  agentId: string | null
  collector: string | null
  running: boolean
  pid: number | null
  spoolDepth: number
  spoolBytes: number
  produced: number
  accepted: number
  rejected: number
  dropped: number
  quarantined: number
  rejectedByCode: Record<string, number>
  skippedNoFix: number
  lastSuccess: string | null
  lastError: ErrorRecord | null
  lastRejection: ErrorRecord | null
  startedAt: string | null
  stoppedAt: string | null
}

export function statusPath(stateDir: string): string {
  return path.join(stateDir, 'status.json')
}

export function spoolDir(stateDir: string): string {
  return path.join(stateDir, 'spool')
}

export function emptyRunStatus(): RunStatus {
  return {
    version: 1,
    pid: null,
    startedAt: null,
    stoppedAt: null,
    lastSuccess: null,
    lastError: null,
    lastRejection: null,
    skippedNoFix: 0,
  }
}

export async function loadRunStatus(stateDir: string): Promise<RunStatus> {
  try {
    const s = JSON.parse(await readFile(statusPath(stateDir), 'utf8')) as RunStatus
    return s.version === 1 ? { ...emptyRunStatus(), ...s } : emptyRunStatus()
  } catch {
    // Missing or unreadable: status is advisory, the spool and its meta are the record.
    return emptyRunStatus()
  }
}

/** Serialised writes of the running agent's status (last write wins, never torn). */
export class StatusWriter {
  private tail: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly stateDir: string,
    public current: RunStatus,
  ) {}

  update(patch: Partial<RunStatus>): Promise<void> {
    this.current = { ...this.current, ...patch }
    const snapshot = JSON.stringify(this.current, null, 2) + '\n'
    const next = this.tail.then(() => writeFileAtomic(statusPath(this.stateDir), snapshot))
    this.tail = next.catch(() => undefined)
    return next
  }
}

export async function readAgentStatus(stateDir: string): Promise<AgentStatusReport> {
  try {
    if (!(await stat(stateDir)).isDirectory()) throw new Error('not a directory')
  } catch (e) {
    throw new AegisError('ERR_IO', `cannot read state directory ${stateDir}`, { cause: e })
  }
  const state = await loadState(stateDir)
  const run = await loadRunStatus(stateDir)
  const spool = spoolDir(stateDir)
  const hasSpool = await stat(spool).then(
    (s) => s.isDirectory(),
    () => false,
  )
  const meta = hasSpool ? await loadMeta(spool) : undefined
  const entries = meta ? await listReadOnly(spool, meta) : []
  const pid = (await lockHolder(stateDir)) ?? null
  return {
    enrolled: state !== undefined,
    agentId: state?.agentId ?? null,
    collector: state?.collector ?? null,
    running: pid !== null,
    pid,
    spoolDepth: entries.length,
    spoolBytes: entries.reduce((a, e) => a + e.size, 0),
    produced: meta?.produced ?? 0,
    accepted: meta?.accepted ?? 0,
    rejected: meta?.rejected ?? 0,
    dropped: meta?.dropped ?? 0,
    quarantined: meta?.quarantined ?? 0,
    rejectedByCode: meta?.rejectedByCode ?? {},
    skippedNoFix: run.skippedNoFix,
    lastSuccess: run.lastSuccess,
    lastError: run.lastError,
    lastRejection: run.lastRejection,
    startedAt: run.startedAt,
    stoppedAt: run.stoppedAt,
  }
}

/**
 * Entries as the running agent sees them, without its crash recovery: those at or below the
 * settled mark (or pending a drop) are already accounted for and about to be removed.
 */
async function listReadOnly(dir: string, meta: SpoolMeta) {
  const pending = new Set(meta.pendingDrop)
  return (await listEntries(dir)).filter((e) => e.seq > meta.lastSettledSeq && !pending.has(e.seq))
}
