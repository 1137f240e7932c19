/**
 * The ingest and activation side of measured boot: judge the event log when the policy has an
 * `eventLog` section, turning policy outcomes into audit findings in audit mode (as the other
 * policy checks do) while parse and replay failures always refuse.
 */
import { AegisError, type ErrorCode } from '../../attest/errors.ts'
import type { PcrValues } from '../../attest/tpm/types.ts'
import type { Policy } from '../config/types.ts'
import { judgeBoot, type BootVerdict } from './judge-boot.ts'

const AUDITABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_EVENTLOG_POLICY',
  'ERR_EVENTLOG_REQUIRED',
])

export async function judgeBootIfGoverned(input: {
  db: D1Database
  agentId: string
  policy: Policy
  policyVersion: number
  quoted: PcrValues
  eventLog: Uint8Array | undefined
  now: number
  /** Audit-mode findings are appended here (the batch's findings). */
  findings: ErrorCode[]
}): Promise<BootVerdict | undefined> {
  const { policy } = input
  if (!policy.eventLog) return undefined
  try {
    const v = await judgeBoot({ ...input, policy: policy.eventLog, mode: policy.mode })
    if (v.findings.length > 0) input.findings.push('ERR_EVENTLOG_POLICY')
    return v
  } catch (e) {
    if (policy.mode === 'audit' && e instanceof AegisError && AUDITABLE.has(e.code)) {
      input.findings.push(e.code)
      return undefined
    }
    throw e
  }
}
