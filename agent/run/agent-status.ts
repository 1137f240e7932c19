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
import { loadMeta, type SpoolCounters, type SpoolMeta } from '../spool/spool-meta.ts'
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
  /** batches sent by `aegis agent send` (not through the spool) */
  oneShot?: OneShotCounts
}

export interface OneShotCounts {
  sent: number
  accepted: number
  rejected: number
  rejectedByCode: Record<string, number>
}

/** The spool's counters (SpoolCounters) with the run's state around them. */
export interface AgentStatusReport extends SpoolCounters {
  enrolled: boolean
  agentId: string | null
  collector: string | null
  running: boolean
  pid: number | null
  spoolDepth: number
  spoolBytes: number
  skippedNoFix: number
  lastSuccess: string | null
  lastError: ErrorRecord | null
  lastRejection: ErrorRecord | null
  startedAt: string | null
  stoppedAt: string | null
  /** the part of produced/accepted/rejected that `aegis agent send` sent */
  oneShot: OneShotCounts
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

/**
 * Count a one-shot `aegis agent send` in status.json, so `aegis agent status` reports it beside the
 * service's spool counters. A service running at the same time keeps its own copy of status.json
 * and may overwrite this; its spool counters are unaffected.
 */
export async function recordOneShot(
  stateDir: string,
  r: { sent: number; accepted: number; rejected: { code: string; message: string; seq: number }[] },
): Promise<void> {
  const cur = await loadRunStatus(stateDir)
  const o = cur.oneShot ?? { sent: 0, accepted: 0, rejected: 0, rejectedByCode: {} }
  const byCode = { ...o.rejectedByCode }
  for (const x of r.rejected) byCode[x.code] = (byCode[x.code] ?? 0) + 1
  const now = new Date().toISOString()
  const last = r.rejected.at(-1)
  const next: RunStatus = {
    ...cur,
    oneShot: {
      sent: o.sent + r.sent,
      accepted: o.accepted + r.accepted,
      rejected: o.rejected + r.rejected.length,
      rejectedByCode: byCode,
    },
    ...(r.accepted ? { lastSuccess: now } : {}),
    ...(last
      ? { lastRejection: { at: now, code: last.code, message: last.message, seq: last.seq } }
      : {}),
  }
  await writeFileAtomic(statusPath(stateDir), JSON.stringify(next, null, 2) + '\n')
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
  const one = run.oneShot ?? { sent: 0, accepted: 0, rejected: 0, rejectedByCode: {} }
  const byCode = { ...(meta?.rejectedByCode ?? {}) }
  for (const [k, n] of Object.entries(one.rejectedByCode)) byCode[k] = (byCode[k] ?? 0) + n
  return {
    enrolled: state !== undefined,
    agentId: state?.agentId ?? null,
    collector: state?.collector ?? null,
    running: pid !== null,
    pid,
    spoolDepth: entries.length,
    spoolBytes: entries.reduce((a, e) => a + e.size, 0),
    produced: (meta?.produced ?? 0) + one.sent,
    accepted: (meta?.accepted ?? 0) + one.accepted,
    rejected: (meta?.rejected ?? 0) + one.rejected,
    dropped: meta?.dropped ?? 0,
    quarantined: meta?.quarantined ?? 0,
    rejectedByCode: byCode,
    skippedNoFix: run.skippedNoFix,
    lastSuccess: run.lastSuccess,
    lastError: run.lastError,
    lastRejection: run.lastRejection,
    startedAt: run.startedAt,
    stoppedAt: run.stoppedAt,
    oneShot: one,
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
