// policy.eventLog in the operator policy document, and its audit mode at ingest: policy findings
// and a missing log become batch findings, while a log that does not replay still refuses.
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { parseEventLog } from '../../../attest/eventlog/parse-event-log.ts'
import { replayEventLog } from '../../../attest/eventlog/replay.ts'
import type { ErrorCode } from '../../../attest/errors.ts'
import type { PcrValues } from '../../../attest/tpm/types.ts'
import { judgeBootIfGoverned } from '../../../worker/bootlog/judge-batch-boot.ts'
import { forgetAcceptedBoot } from '../../../worker/bootlog/judge-boot.ts'
import { DEV_POLICY } from '../../../worker/config/defaults.ts'
import type { Policy } from '../../../worker/config/types.ts'
import { validatePolicy } from '../../../worker/operator/config-bodies.ts'
import { LOGS } from '../../attest/eventlog/logs.ts'
import { code } from '../../helpers/error-code.ts'

const agentId = 'cd'.repeat(32)
const noSb = LOGS['gce-ubuntu2104-no-secure-boot.eventlog']!
const quoted = (log: Uint8Array): PcrValues => {
  const r = replayEventLog(parseEventLog(log)).sha256!
  return { sha256: Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, r[i]!])) }
}
const audit: Policy = {
  ...DEV_POLICY,
  mode: 'audit',
  eventLog: { pcrs: [0, 1, 2, 3, 4, 5, 6, 7], requireSecureBoot: true },
}
const run = (
  policy: Policy,
  eventLog: Uint8Array | undefined,
  q: PcrValues,
  findings: ErrorCode[],
) =>
  judgeBootIfGoverned({
    db: env.DB,
    agentId,
    policy,
    policyVersion: 1,
    quoted: q,
    eventLog,
    now: Date.now(),
    findings,
  })

describe('event-log policy at ingest', () => {
  beforeEach(async () => {
    await env.DB.prepare('DELETE FROM boot_logs').run()
    forgetAcceptedBoot(agentId)
  })

  it('audit: Secure Boot off and a missing log are findings, not refusals', async () => {
    const findings: ErrorCode[] = []
    const v = await run(audit, noSb, quoted(noSb), findings)
    expect(v?.findings.map((f) => f.rule)).toEqual(['secure-boot-off'])
    expect(
      await run(audit, undefined, quoted(LOGS['gce-rhel8.eventlog']!), findings),
    ).toBeUndefined()
    expect(findings).toEqual(['ERR_EVENTLOG_POLICY', 'ERR_EVENTLOG_REQUIRED'])
  })

  it('audit still refuses a log that does not replay to the quote', async () => {
    await expect(run(audit, noSb, quoted(LOGS['gce-rhel8.eventlog']!), [])).rejects.toMatchObject({
      code: 'ERR_EVENTLOG_REPLAY',
    })
  })

  it('without policy.eventLog nothing is judged', async () => {
    expect(await run(DEV_POLICY, undefined, quoted(noSb), [])).toBeUndefined()
  })

  it('the operator policy takes eventLog, but not over the sensor PCR', () => {
    const doc = { ...DEV_POLICY, eventLog: { pcrs: [7, 4], requireSecureBoot: true } }
    expect(validatePolicy(doc).eventLog?.pcrs).toEqual([4, 7])
    expect(
      code(() => validatePolicy({ ...doc, eventLog: { pcrs: [15], requireSecureBoot: true } })),
    ).toBe('ERR_INPUT_MALFORMED')
    expect(
      code(() => validatePolicy({ ...doc, eventLog: { pcrs: [0], requireSecureBoot: 'yes' } })),
    ).toBe('ERR_INPUT_MALFORMED')
  })
})
