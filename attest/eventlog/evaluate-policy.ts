/**
 * Judges what booted against an EventLogPolicy. Reads the BootState of a log that already replayed
 * to the quoted PCRs (check-replay.ts), and only events in the PCRs the policy governs. Returns
 * every finding, each naming the rule and the event (index, type, PCR) that broke it, so audit
 * mode can record them all and enforce mode refuses with the first (`enforceFindings`).
 * Rules, in order: unbound event content, Secure Boot, db allow/deny, dbx required entries,
 * authorities (allow/deny, and revoked by the log's own dbx), boot applications (revoked by dbx,
 * allow/deny), kernel allow, minimum firmware version.
 */
import { AegisError } from '../errors.ts'
import type { BootState, EventRef } from './boot-state.ts'
import type { EventLogPolicy } from './policy.ts'

export interface Finding {
  rule: string
  message: string
  event?: EventRef
  pcr?: number
}

export function evaluateEventLogPolicy(state: BootState, policy: EventLogPolicy): Finding[] {
  const governed = new Set(policy.pcrs)
  const gov = (e: { event: EventRef }) => governed.has(e.event.pcr)
  const out: Finding[] = []
  for (const e of state.unbound.filter((x) => governed.has(x.pcr))) {
    // An unbound authority hides only which certificate verified an image (cos-85's shim logs
    // one): it matters when the policy judges authorities. Unbound variables or versions always do.
    if (e.type === 'EV_EFI_VARIABLE_AUTHORITY' && !policy.authorities) continue
    out.push(finding('unbound-event', `its digest does not match its data`, e))
  }
  if (governed.has(7)) secureBootRules(state, policy, out)
  const dbx = state.databases.dbx && gov(state.databases.dbx) ? state.databases.dbx : undefined
  const revoked = new Set(dbx?.signatures.map((s) => s.ref) ?? [])
  for (const a of state.authorities.filter(gov)) {
    if (revoked.has(a.ref))
      out.push(finding('authority-revoked', `authority ${a.ref} is in dbx`, a.event))
    listRule(out, 'authority', policy.authorities, a.ref, a.event)
  }
  for (const app of state.bootApps.filter(gov)) {
    const sha256 = app.digests.sha256
    if (sha256 && revoked.has(sha256))
      out.push(finding('boot-app-revoked', `image ${sha256} is in dbx`, app.event))
    digestRule(out, 'boot-app', policy.bootApps, app.digests, app.event)
  }
  kernelRule(state, policy, out, governed)
  firmwareRule(state, policy, out, governed)
  return out
}

function secureBootRules(state: BootState, policy: EventLogPolicy, out: Finding[]): void {
  if (policy.requireSecureBoot && state.secureBoot !== true) {
    const e = state.secureBootEvent
    if (e) out.push(finding('secure-boot-off', 'Secure Boot is off', e))
    else
      out.push({
        rule: 'secure-boot-unknown',
        message: 'the log does not measure SecureBoot',
        pcr: 7,
      })
  }
  const db = state.databases.db
  if (db && policy.db) {
    for (const s of db.signatures) listRule(out, 'db', policy.db, s.ref, db.event)
  }
  const dbx = state.databases.dbx
  for (const need of policy.dbx?.require ?? []) {
    if (!dbx?.signatures.some((s) => s.ref === need)) {
      const f: Finding = { rule: 'dbx-missing', message: `dbx lacks ${need}`, pcr: 7 }
      if (dbx) f.event = dbx.event
      out.push(f)
    }
  }
}

function listRule(
  out: Finding[],
  what: string,
  rule: { allow?: string[]; deny?: string[] } | undefined,
  ref: string,
  e: EventRef,
): void {
  if (rule?.deny?.includes(ref)) out.push(finding(`${what}-denied`, `${what} ${ref} is denied`, e))
  else if (rule?.allow && !rule.allow.includes(ref))
    out.push(finding(`${what}-not-allowed`, `${what} ${ref} is not allowed`, e))
}

/** A digest rule matches when any bank's digest is listed (the hex length names the bank). */
function digestRule(
  out: Finding[],
  what: string,
  rule: { allow?: string[]; deny?: string[] } | undefined,
  digests: Record<string, string>,
  e: EventRef,
): void {
  const values = Object.values(digests)
  const shown = digests.sha256 ?? values[0] ?? ''
  if (rule?.deny && values.some((d) => rule.deny!.includes(d)))
    out.push(finding(`${what}-denied`, `${what} ${shown} is denied`, e))
  else if (rule?.allow && !values.some((d) => rule.allow!.includes(d))) {
    out.push(finding(`${what}-not-allowed`, `${what} ${shown} is not allowed`, e))
  }
}

function kernelRule(
  state: BootState,
  policy: EventLogPolicy,
  out: Finding[],
  governed: Set<number>,
): void {
  if (!policy.kernels?.allow || !governed.has(4)) return
  if (!state.kernel) {
    out.push({
      rule: 'kernel-unknown',
      message: 'the log names no kernel (fewer than two boot applications)',
      pcr: 4,
    })
    return
  }
  digestRule(out, 'kernel', policy.kernels, state.kernel.digests, state.kernel.event)
}

function firmwareRule(
  state: BootState,
  policy: EventLogPolicy,
  out: Finding[],
  governed: Set<number>,
): void {
  const mins = policy.minFirmwareVersions
  if (!mins || mins.length === 0 || !governed.has(0)) return
  const v = state.firmwareVersions[0]
  if (!v) {
    out.push({ rule: 'firmware-unknown', message: 'the log has no EV_S_CRTM_VERSION', pcr: 0 })
    return
  }
  if (!mins.some((m) => versionAtLeast(v.version, m))) {
    out.push(
      finding('firmware-version', `firmware '${v.version}' is below ${mins.join(' / ')}`, v.event),
    )
  }
}

/** "GCE Virtual Firmware v2" >= "GCE Virtual Firmware v1": same text before the first digit, then numbers compared in order. */
export function versionAtLeast(v: string, min: string): boolean {
  const split = (s: string) => {
    const i = s.search(/\d/)
    return i < 0
      ? { prefix: s, nums: [] as number[] }
      : { prefix: s.slice(0, i), nums: (s.slice(i).match(/\d+/g) ?? []).map(Number) }
  }
  const a = split(v)
  const b = split(min)
  if (a.prefix !== b.prefix) return false
  for (let i = 0; i < Math.max(a.nums.length, b.nums.length); i++) {
    const x = a.nums[i] ?? 0
    const y = b.nums[i] ?? 0
    if (x !== y) return x > y
  }
  return true
}

function finding(rule: string, message: string, e: EventRef): Finding {
  return {
    rule,
    message: `event ${e.index} (${e.type}, PCR ${e.pcr}): ${message}`,
    event: e,
    pcr: e.pcr,
  }
}

/** Enforce mode: the first finding becomes ERR_EVENTLOG_POLICY naming its event. */
export function enforceFindings(findings: Finding[]): void {
  const f = findings[0]
  if (!f) return
  throw new AegisError('ERR_EVENTLOG_POLICY', f.message, {
    detail: {
      rule: f.rule,
      pcr: f.pcr,
      ...(f.event ? { index: f.event.index, eventType: f.event.type } : {}),
      findings: findings.length,
    },
  })
}
