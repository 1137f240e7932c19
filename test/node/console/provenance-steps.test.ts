/**
 * console/src/provenance/steps.ts: how verifyProvenance reports become the provenance view's
 * steps. Which of signature, nonce and PCRs failed or was never reached follows the order of
 * verifyQuote; the geofence counts only behind a valid receipt.
 */
import { describe, expect, it } from 'vitest'
import type { BundleReport, CheckReport } from '../../../attest/bundle/verify-provenance.ts'
import { provenanceSteps, type Step } from '../../../console/src/provenance/steps.ts'

const NAMES = ['bundle-hash', 'ek', 'ak-binding', 'payload', 'quote', 'receipt', 'sth', 'inclusion']

function report(
  over: Partial<Record<string, Partial<CheckReport> | null>> = {},
  extra: Partial<BundleReport> = {},
): BundleReport {
  const checks: CheckReport[] = []
  for (const name of NAMES) {
    const o = over[name]
    if (o === null) continue
    checks.push({ name, ok: true, ...o })
  }
  const bad = checks.find((c) => !c.ok)
  return {
    ok: !bad,
    ...(bad?.code ? { code: bad.code } : {}),
    verdict: 'accept',
    zone: 'paris',
    pcrs: { sha256: { '0': '00', '7': '11', '15': '22' } },
    logIndex: 3,
    treeSize: 4,
    checks,
    ...extra,
  }
}

const states = (steps: Step[]) => Object.fromEntries(steps.map((s) => [s.id, s.state]))

describe('provenance steps', () => {
  it('a fully verified bundle: nine steps, all ok, in display order', () => {
    const steps = provenanceSteps(report())
    expect(steps.map((s) => s.id)).toEqual([
      'bundle',
      'ek',
      'ak-binding',
      'quote',
      'nonce',
      'pcrs',
      'geofence',
      'receipt',
      'log',
    ])
    expect(steps.every((s) => s.state === 'ok')).toBe(true)
    expect(steps.find((s) => s.id === 'pcrs')!.note).toMatch(/^3 quoted PCR values/)
    expect(steps.find((s) => s.id === 'log')!.note).toMatch(/leaf 3 of a signed tree of 4/)
  })

  it("a closed shard's record: the root-log check counts in the log step", () => {
    const closed = (root: Partial<CheckReport>) => {
      const r = report({}, { shard: '2026-11', rootIndex: 7 })
      r.checks.push({ name: 'root', ok: true, ...root })
      return provenanceSteps(r).find((x) => x.id === 'log')!
    }
    const ok = closed({})
    expect(ok.state).toBe('ok')
    expect(ok.note).toMatch(/\(shard 2026-11\), its final head leaf 7 of the root log/)
    const bad = closed({ ok: false, code: 'ERR_LOG_PROOF', message: 'not in the root' })
    expect([bad.state, bad.code]).toEqual(['fail', 'ERR_LOG_PROOF'])
  })

  it('a nonce mismatch fails the nonce step; signature and PCRs were never reached', () => {
    const s = states(
      provenanceSteps(report({ quote: { ok: false, code: 'ERR_QUOTE_NONCE', message: 'm' } })),
    )
    expect(s).toMatchObject({
      quote: 'not-checked',
      nonce: 'fail',
      pcrs: 'not-checked',
      receipt: 'ok',
    })
  })

  it('a PCR digest mismatch fails the PCR step after nonce and signature passed', () => {
    const steps = provenanceSteps(
      report({ quote: { ok: false, code: 'ERR_PCR_DIGEST', message: 'm' } }),
    )
    expect(states(steps)).toMatchObject({ quote: 'ok', nonce: 'ok', pcrs: 'fail' })
    expect(steps.find((x) => x.id === 'pcrs')!.code).toBe('ERR_PCR_DIGEST')
  })

  it('a bad signature fails the quote step with the nonce already compared', () => {
    expect(
      states(provenanceSteps(report({ quote: { ok: false, code: 'ERR_QUOTE_SIGNATURE' } }))),
    ).toMatchObject({
      quote: 'fail',
      nonce: 'ok',
      pcrs: 'not-checked',
    })
    expect(
      states(provenanceSteps(report({ quote: { ok: false, code: 'ERR_QUOTE_SIGNER' } }))),
    ).toMatchObject({
      quote: 'fail',
      nonce: 'not-checked',
      pcrs: 'not-checked',
    })
  })

  it('the geofence step stands on the receipt: not checked when the receipt fails', () => {
    const s = states(
      provenanceSteps(report({ receipt: { ok: false, code: 'ERR_BUNDLE_RECEIPT' } })),
    )
    expect(s).toMatchObject({ geofence: 'not-checked', receipt: 'fail' })
  })

  it('audit-mode acceptance is a note, not a pass', () => {
    expect(states(provenanceSteps(report({}, { verdict: 'accept-audit' }))).geofence).toBe('warn')
  })

  it('an EK admitted by allowlist is shown as skipped, with the reason', () => {
    const step = provenanceSteps(report({ ek: { skipped: 'no EK certificate: allowlist' } })).find(
      (s) => s.id === 'ek',
    )!
    expect([step.state, step.note]).toEqual(['skipped', 'no EK certificate: allowlist'])
  })

  it('a failed tree head fails the log step; a bundle hash failure stops everything after it', () => {
    expect(
      states(
        provenanceSteps(
          report({
            sth: { ok: false, code: 'ERR_LOG_STH' },
            inclusion: { ok: false, code: 'ERR_LOG_PROOF' },
          }),
        ),
      ).log,
    ).toBe('fail')
    const early = provenanceSteps({
      ok: false,
      code: 'ERR_BUNDLE_HASH',
      checks: [{ name: 'bundle-hash', ok: false, code: 'ERR_BUNDLE_HASH' }],
    })
    expect(states(early)).toEqual({
      bundle: 'fail',
      ek: 'not-checked',
      'ak-binding': 'not-checked',
      quote: 'not-checked',
      nonce: 'not-checked',
      pcrs: 'not-checked',
      geofence: 'not-checked',
      receipt: 'not-checked',
      log: 'not-checked',
    })
    const format = provenanceSteps({
      ok: false,
      code: 'ERR_BUNDLE_MALFORMED',
      checks: [{ name: 'format', ok: false, code: 'ERR_BUNDLE_MALFORMED' }],
    })
    expect(format[0]).toMatchObject({ state: 'fail', code: 'ERR_BUNDLE_MALFORMED' })
  })
})
