/**
 * Turns the report of verifyProvenance (attest/bundle/verify-provenance.ts, the same checks
 * `aegis verify bundle` runs) into the steps the provenance view shows an auditor, one row each:
 * bundle, EK chain, AK binding, quote signature, nonce, PCRs, geofence, receipt, log inclusion.
 * The library checks nonce, signature and PCR digest inside its single `quote` check, in the order
 * of attest/quote/verify-quote.ts (signer, nonce, signature, clock, PCR selection and digest), so a
 * failure's code says which of the three failed and which were never reached. The geofence is not
 * re-judged (no zone geometry in the bundle): the step shows the verdict and zone the collector
 * recorded, which count only once the receipt that signs them verifies.
 */
import type { BundleReport, CheckReport } from '../../../attest/bundle/verify-provenance.ts'

export type StepState = 'ok' | 'fail' | 'skipped' | 'not-checked' | 'warn'

export interface Step {
  id: 'bundle' | 'ek' | 'ak-binding' | 'quote' | 'nonce' | 'pcrs' | 'geofence' | 'receipt' | 'log'
  title: string
  state: StepState
  code?: string
  note: string
}

const NONCE_CODES = new Set(['ERR_QUOTE_NONCE'])
const PCR_CODES = new Set([
  'ERR_PCR_SELECTION',
  'ERR_PCR_MISSING',
  'ERR_PCR_EXTRA',
  'ERR_PCR_DIGEST',
])
// Failures before the nonce comparison in verifyQuote: the nonce was never compared.
const BEFORE_NONCE = new Set([
  'ERR_AK_ATTRIBUTES',
  'ERR_ATTEST_MAGIC',
  'ERR_ATTEST_TYPE',
  'ERR_QUOTE_SIGNER',
  'ERR_TPM_MALFORMED',
  'ERR_TPM_TRAILING_BYTES',
])

function fromCheck(
  c: CheckReport | undefined,
  okNote: string,
): Pick<Step, 'state' | 'code' | 'note'> {
  if (!c) return { state: 'not-checked', note: 'not reached: an earlier check failed' }
  if (!c.ok) return { state: 'fail', ...(c.code ? { code: c.code } : {}), note: c.message ?? '' }
  if (c.skipped) return { state: 'skipped', note: c.skipped }
  return { state: 'ok', note: okNote }
}

function allOf(
  cs: (CheckReport | undefined)[],
  okNote: string,
): Pick<Step, 'state' | 'code' | 'note'> {
  for (const c of cs) if (c && !c.ok) return fromCheck(c, okNote)
  if (cs.some((c) => c === undefined)) return fromCheck(undefined, okNote)
  return { state: 'ok', note: okNote }
}

export function provenanceSteps(r: BundleReport): Step[] {
  const by = (name: string) => r.checks.find((c) => c.name === name)
  const format = r.checks.find((c) => c.name === 'format')
  const quote = by('quote')
  const receipt = by('receipt')

  const bundle =
    format && !format.ok
      ? fromCheck(format, '')
      : allOf(
          [by('bundle-hash'), by('payload')],
          'bundle bytes match their hash; the payload is this agent’s batch',
        )
  const ek = fromCheck(
    by('ek'),
    r.ekCert
      ? `chains to a trusted root: ${r.ekCert.subject || '(empty subject)'} issued by ${r.ekCert.issuer}`
      : 'chains to a trusted root',
  )
  const ak = fromCheck(
    by('ak-binding'),
    'the collector-signed activation record binds this AK to this EK',
  )

  const { sig, nonce, pcrs } = quoteSteps(r, quote)
  const geo = geofenceStep(r, receipt)

  // The root-log check runs only for a closed shard's record: a failure counts, absence does not.
  const root = by('root')
  const log = allOf(
    [by('sth'), by('inclusion'), ...(root ? [root] : [])],
    r.logIndex !== undefined
      ? `leaf ${r.logIndex} of a signed tree of ${r.treeSize}` +
          (r.shard && r.shard !== 'main' ? ` (shard ${r.shard})` : '') +
          (r.rootIndex !== undefined ? `, its final head leaf ${r.rootIndex} of the root log` : '')
      : 'in the signed log',
  )

  return [
    { id: 'bundle', title: 'Bundle and payload', ...bundle },
    { id: 'ek', title: 'EK certificate chain', ...ek },
    { id: 'ak-binding', title: 'AK binding', ...ak },
    { id: 'quote', title: 'Quote signature', ...sig },
    { id: 'nonce', title: 'Nonce', ...nonce },
    { id: 'pcrs', title: 'PCR values', ...pcrs },
    { id: 'geofence', title: 'Geofence', ...geo },
    {
      id: 'receipt',
      title: 'Receipt',
      ...fromCheck(receipt, 'collector-signed receipt for this batch, agent, verdict and zone'),
    },
    { id: 'log', title: 'Log inclusion', ...log },
  ]
}

type Outcome = Pick<Step, 'state' | 'code' | 'note'>

/** The quote check as three steps: which of signature, nonce and PCRs it reached and failed. */
function quoteSteps(
  r: BundleReport,
  quote: BundleReport['checks'][number] | undefined,
): { sig: Outcome; nonce: Outcome; pcrs: Outcome } {
  const notReached = { state: 'not-checked' as const, note: 'not reached: an earlier check failed' }
  const signed: Outcome = { state: 'ok', note: 'TPMS_ATTEST signed by the AK' }
  const bound: Outcome = { state: 'ok', note: 'the quote binds this nonce and payload' }
  if (!quote) return { sig: notReached, nonce: notReached, pcrs: notReached }
  if (quote.ok) {
    const n = Object.values(r.pcrs ?? {}).reduce((s, bank) => s + Object.keys(bank).length, 0)
    return {
      sig: signed,
      nonce: {
        state: 'ok',
        note: 'extraData = SHA-256(nonce ‖ SHA-256(payload)): the quote binds this nonce and payload',
      },
      pcrs: { state: 'ok', note: `${n} quoted PCR values hash to the signed pcrDigest` },
    }
  }
  const code = quote.code ?? ''
  if (NONCE_CODES.has(code)) {
    return {
      sig: { state: 'not-checked', note: 'not reached: the nonce did not match' },
      nonce: fromCheck(quote, ''),
      pcrs: notReached,
    }
  }
  if (PCR_CODES.has(code)) return { sig: signed, nonce: bound, pcrs: fromCheck(quote, '') }
  return {
    sig: fromCheck(quote, ''),
    nonce: BEFORE_NONCE.has(code) ? notReached : bound,
    pcrs: notReached,
  }
}

/** The recorded verdict and zone, which count only under a valid receipt. */
function geofenceStep(
  r: BundleReport,
  receipt: BundleReport['checks'][number] | undefined,
): Outcome {
  if (!receipt || !receipt.ok) {
    return {
      state: 'not-checked',
      note: 'the recorded verdict and zone count only with a valid receipt',
    }
  }
  if (r.verdict === 'accept' && r.zone) {
    return { state: 'ok', note: `inside zone ${r.zone}: the collector’s signed verdict` }
  }
  if (r.verdict === 'accept-audit') {
    return {
      state: 'warn',
      note: `accepted in audit mode${r.zone ? ` (zone ${r.zone})` : ' without a zone'}: policy findings were recorded, not enforced`,
    }
  }
  return { state: 'warn', note: `accepted without a zone` }
}
