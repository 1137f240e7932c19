/**
 * Measured boot at the collector: judges the UEFI event log behind a quote whose boot PCRs changed.
 * With `policy.eventLog` set, the governed PCRs are judged by the log instead of the pinned
 * baseline: the log must replay to the quoted values (always enforced: a log that does not is not
 * this boot's log), then the event-log policy decides (enforce: refuse naming the event; audit:
 * accept and record the findings). The last accepted log is remembered per agent by the quoted
 * values it replays to (`pcrKey`), so a batch whose governed PCRs did not change needs no log and
 * costs one cached comparison. Leaves storage to store/boot-logs.ts and the decision record to the
 * caller.
 */
import { sha256 } from '../../attest/crypto/hash.ts'
import { concat, fromHex, toHex, utf8 } from '../../attest/bytes/encoding.ts'
import { bootState } from '../../attest/eventlog/boot-state.ts'
import { checkReplay } from '../../attest/eventlog/check-replay.ts'
import {
  enforceFindings,
  evaluateEventLogPolicy,
  type Finding,
} from '../../attest/eventlog/evaluate-policy.ts'
import { parseEventLog } from '../../attest/eventlog/parse-event-log.ts'
import type { EventLogPolicy } from '../../attest/eventlog/policy.ts'
import { replayEventLog } from '../../attest/eventlog/replay.ts'
import { AegisError } from '../../attest/errors.ts'
import { pcrsToHex } from '../../attest/policy/check-pcr-policy.ts'
import type { HashAlg, PcrValues } from '../../attest/tpm/types.ts'
import { BoundedCache } from '../auth/bounded-cache.ts'
import { acceptedBoot, putBootLog } from '../store/boot-logs.ts'

/** agentId -> pcrKey of the last accepted log; loss-tolerant, re-read from D1 on a mismatch. */
const accepted = new BoundedCache<string>(10_000)

export interface BootVerdict {
  /** Whether a log was judged now (false: the governed PCRs match the remembered accepted log). */
  judged: boolean
  pcrKey: string
  /** The policy version that judged it (set when judged). */
  policyVersion?: number
  findings: Finding[]
  /** Set when a log was judged and accepted: persist with `rememberBoot` once the caller commits. */
  log?: { bytes: Uint8Array; events: number }
}

/** hex SHA-256 over "bank:index:" || value for every quoted governed PCR, banks and PCRs sorted. */
export function bootPcrKey(quoted: PcrValues, pcrs: number[]): string {
  const hex = pcrsToHex(quoted)
  const parts: Uint8Array[] = []
  for (const bank of Object.keys(hex).sort()) {
    for (const i of pcrs) {
      const v = hex[bank]![String(i)]
      if (v !== undefined) parts.push(utf8(`${bank}:${i}:`), fromHex(v))
    }
  }
  return toHex(sha256(concat(...parts)))
}

export interface JudgeInput {
  db: D1Database
  agentId: string
  policy: EventLogPolicy
  /** The operator policy's version: a boot accepted under an older one is judged again. */
  policyVersion: number
  mode: 'enforce' | 'audit'
  quoted: PcrValues
  eventLog: Uint8Array | undefined
  now: number
}

export async function judgeBoot(input: JudgeInput): Promise<BootVerdict> {
  const pcrKey = bootPcrKey(input.quoted, input.policy.pcrs)
  const memo = `${pcrKey}@${input.policyVersion}`
  if (accepted.get(input.agentId) === memo) return { judged: false, pcrKey, findings: [] }
  if (input.eventLog) return judgeLog(input, pcrKey, input.eventLog)
  const stored = await acceptedBoot(input.db, input.agentId)
  if (stored?.pcrKey !== pcrKey) {
    throw new AegisError(
      'ERR_EVENTLOG_REQUIRED',
      'the quoted boot PCRs changed: send the event log with this batch',
      { detail: { pcrs: input.policy.pcrs } },
    )
  }
  if (stored.policyVersion === input.policyVersion) {
    accepted.set(input.agentId, memo)
    return { judged: false, pcrKey, findings: [] }
  }
  // Same boot, newer policy (e.g. a boot loader denied since): judge the remembered log again.
  return judgeLog(input, pcrKey, stored.log)
}

async function judgeLog(
  input: JudgeInput,
  pcrKey: string,
  bytes: Uint8Array,
): Promise<BootVerdict> {
  const log = parseEventLog(bytes)
  // Only the quoted banks are proven by the quote: replay and bind event data in those.
  const banks = (Object.keys(input.quoted) as HashAlg[]).filter((b) => log.banks.includes(b))
  checkReplay(log, replayEventLog(log, banks), input.quoted, input.policy.pcrs)
  const findings = evaluateEventLogPolicy(bootState(log, banks), input.policy)
  const verdict: BootVerdict = {
    judged: true,
    pcrKey,
    policyVersion: input.policyVersion,
    findings,
    log: { bytes, events: log.events.length },
  }
  if (input.mode === 'enforce') {
    try {
      enforceFindings(findings)
    } catch (e) {
      await rememberRefusal(input.db, input.agentId, verdict, e as AegisError, input.now)
      throw e
    }
  }
  return verdict
}

/** After the caller committed the acceptance: this log is the agent's current boot. */
export async function rememberBoot(
  db: D1Database,
  agentId: string,
  v: BootVerdict,
  now: number,
): Promise<void> {
  if (!v.log) return
  await putBootLog(db, {
    agentId,
    kind: 'accepted',
    pcrKey: v.pcrKey,
    log: v.log.bytes,
    events: v.log.events,
    findings: v.findings,
    code: null,
    decidedAt: now,
    policyVersion: v.policyVersion ?? 0,
  })
  accepted.set(agentId, `${v.pcrKey}@${v.policyVersion ?? 0}`)
}

async function rememberRefusal(
  db: D1Database,
  agentId: string,
  v: BootVerdict,
  e: AegisError,
  now: number,
): Promise<void> {
  // Kept for the operator's "what changed" view; failing to keep it must not hide the refusal.
  await putBootLog(db, {
    agentId,
    kind: 'refused',
    pcrKey: v.pcrKey,
    log: v.log!.bytes,
    events: v.log!.events,
    findings: v.findings,
    code: e.code,
    decidedAt: now,
    policyVersion: v.policyVersion ?? 0,
  }).catch((err: unknown) => console.error('could not record the refused boot log', err))
}

/** Forget this isolate's memory of an agent's accepted boot, so the next judgement reads D1. */
export function forgetAcceptedBoot(agentId: string): void {
  accepted.delete(agentId)
}
