// Measured boot in the worker, against local D1: a log is needed only when the governed boot PCRs
// change; it must replay to the quote; the policy refuses naming the event; audit records; the
// operator route shows what changed between the accepted and the refused boot.
import { env, exports } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { bootState } from '../../../attest/eventlog/boot-state.ts'
import { parseEventLog } from '../../../attest/eventlog/parse-event-log.ts'
import type { EventLogPolicy } from '../../../attest/eventlog/policy.ts'
import { replayEventLog } from '../../../attest/eventlog/replay.ts'
import { AegisError } from '../../../attest/errors.ts'
import type { PcrValues } from '../../../attest/tpm/types.ts'
import { forgetAcceptedBoot, judgeBoot, rememberBoot } from '../../../worker/bootlog/judge-boot.ts'
import { LOGS } from '../../attest/eventlog/logs.ts'
import { authHeaders } from '../helpers/auth.ts'

const agentId = 'ab'.repeat(32)
const rhel8 = LOGS['gce-rhel8.eventlog']!
const cos85 = LOGS['gce-cos85-amd-sev.eventlog']!

/** What a quote over sha256 PCRs 0-7 of a machine that booted `log` carries. */
function quotedFor(log: Uint8Array): PcrValues {
  const r = replayEventLog(parseEventLog(log)).sha256!
  return { sha256: Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, r[i]!])) }
}
const appsOf = (log: Uint8Array) =>
  bootState(parseEventLog(log)).bootApps.map((a) => a.digests.sha256!)
const policy = (allow: string[]): EventLogPolicy => ({
  pcrs: [0, 1, 2, 3, 4, 5, 6, 7],
  requireSecureBoot: true,
  bootApps: { allow },
})

async function caught(p: Promise<unknown>): Promise<AegisError> {
  try {
    await p
  } catch (e) {
    if (e instanceof AegisError) return e
    throw e
  }
  throw new Error('not refused')
}

const judge = (o: {
  log?: Uint8Array
  quoted: PcrValues
  allow: string[]
  mode?: 'enforce' | 'audit'
  version?: number
}) =>
  judgeBoot({
    db: env.DB,
    agentId,
    policy: policy(o.allow),
    policyVersion: o.version ?? 1,
    mode: o.mode ?? 'enforce',
    quoted: o.quoted,
    eventLog: o.log,
    now: Date.now(),
  })

describe('judgeBoot', () => {
  beforeEach(async () => {
    await env.DB.prepare('DELETE FROM boot_logs').run()
    forgetAcceptedBoot(agentId)
  })

  it('needs a log for a boot it has not accepted, then remembers it by PCR values', async () => {
    const quoted = quotedFor(rhel8)
    expect((await caught(judge({ quoted, allow: appsOf(rhel8) }))).code).toBe(
      'ERR_EVENTLOG_REQUIRED',
    )
    const v = await judge({ log: rhel8, quoted, allow: appsOf(rhel8) })
    expect(v).toMatchObject({ judged: true, findings: [] })
    await rememberBoot(env.DB, agentId, v, Date.now())
    expect(await judge({ quoted, allow: appsOf(rhel8) })).toMatchObject({ judged: false })
    forgetAcceptedBoot(agentId) // another isolate: the memory comes from D1
    expect(await judge({ quoted, allow: appsOf(rhel8) })).toMatchObject({ judged: false })
  })

  it('judges the remembered boot again under a newer policy version', async () => {
    const quoted = quotedFor(rhel8)
    const v = await judge({ log: rhel8, quoted, allow: appsOf(rhel8) })
    await rememberBoot(env.DB, agentId, v, Date.now())
    // version 2 denies the grub this machine booted: no new log is sent, the stored one is judged
    const e = await caught(
      judge({ quoted, allow: [appsOf(rhel8)[0]!, appsOf(rhel8)[2]!], version: 2 }),
    )
    expect(e.detail).toMatchObject({ rule: 'boot-app-not-allowed', index: 26, pcr: 4 })
    // version 3 allows it again: judged (from the stored log), then remembered under version 3
    const again = await judge({ quoted, allow: appsOf(rhel8), version: 3 })
    expect(again).toMatchObject({ judged: true, findings: [] })
    await rememberBoot(env.DB, agentId, again, Date.now())
    expect(await judge({ quoted, allow: appsOf(rhel8), version: 3 })).toMatchObject({
      judged: false,
    })
  })

  it('refuses a log that does not replay to the quote, naming bank and PCR', async () => {
    const e = await caught(judge({ log: rhel8, quoted: quotedFor(cos85), allow: appsOf(rhel8) }))
    expect(e.code).toBe('ERR_EVENTLOG_REPLAY')
    expect(e.detail).toMatchObject({ bank: 'sha256', pcr: 0 })
  })

  it('an update with another boot chain: accepted when allowed, refused naming the event when not', async () => {
    await rememberBoot(
      env.DB,
      agentId,
      await judge({ log: rhel8, quoted: quotedFor(rhel8), allow: appsOf(rhel8) }),
      Date.now(),
    )
    const e = await caught(judge({ log: cos85, quoted: quotedFor(cos85), allow: appsOf(rhel8) }))
    expect(e.code).toBe('ERR_EVENTLOG_POLICY')
    expect(e.detail).toMatchObject({
      rule: 'boot-app-not-allowed',
      index: 22,
      eventType: 'EV_EFI_BOOT_SERVICES_APPLICATION',
      pcr: 4,
    })
    const ok = await judge({
      log: cos85,
      quoted: quotedFor(cos85),
      allow: [...appsOf(rhel8), ...appsOf(cos85)],
    })
    expect(ok).toMatchObject({ judged: true, findings: [] })
  })

  it('audit mode accepts and returns the findings', async () => {
    const v = await judge({
      log: cos85,
      quoted: quotedFor(cos85),
      allow: appsOf(rhel8),
      mode: 'audit',
    })
    expect(v.findings.map((f) => f.rule)).toEqual([
      'boot-app-not-allowed',
      'boot-app-not-allowed',
      'boot-app-not-allowed',
    ])
  })

  it('the operator route shows the accepted and refused boots and the changed events', async () => {
    await rememberBoot(
      env.DB,
      agentId,
      await judge({ log: rhel8, quoted: quotedFor(rhel8), allow: appsOf(rhel8) }),
      Date.now(),
    )
    await caught(judge({ log: cos85, quoted: quotedFor(cos85), allow: appsOf(rhel8) }))
    const res = await exports.default.fetch(`http://x/v1/agents/${agentId}/boot`, {
      headers: await authHeaders('operator'),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      accepted: { secureBoot: boolean; kernel: { index: number } }
      refused: { code: string; findings: { rule: string }[] }
      changes: { pcr: number; before: { type: string } | null; after: { index: number } | null }[]
    }
    expect(body.accepted).toMatchObject({ secureBoot: true, kernel: { index: 77 } })
    expect(body.refused.code).toBe('ERR_EVENTLOG_POLICY')
    expect(body.refused.findings[0]!.rule).toBe('boot-app-not-allowed')
    const pcr4 = body.changes.filter((c) => c.pcr === 4)
    expect(
      pcr4.some(
        (c) => c.before?.type === 'EV_EFI_BOOT_SERVICES_APPLICATION' && c.after?.index === 22,
      ),
    ).toBe(true)
    const viewer = await exports.default.fetch(`http://x/v1/agents/${agentId}/boot`, {
      headers: await authHeaders('viewer'),
    })
    expect(viewer.status).toBe(403)
  })
})
