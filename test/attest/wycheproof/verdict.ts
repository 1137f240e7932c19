/**
 * Shared judging for the Wycheproof suites: run one vector, map its outcome to pass/fail by the
 * vector's `result` ("valid" must verify; "invalid" must return false or throw a typed AegisError
 * with one of the expected codes; "acceptable" must match the decision recorded per flag by the
 * suite), and fail on any unknown result string or undocumented acceptable flag.
 */
import { AegisError, type ErrorCode } from '../../../attest/errors.ts'

export type Outcome = { accepted: boolean; code?: ErrorCode; error?: unknown }

export function run(f: () => boolean | Uint8Array, expectOutput?: Uint8Array): Outcome {
  try {
    const r = f()
    if (r instanceof Uint8Array) {
      const same =
        expectOutput !== undefined &&
        r.length === expectOutput.length &&
        r.every((b, i) => b === expectOutput[i])
      return { accepted: same }
    }
    return { accepted: r === true }
  } catch (e) {
    return e instanceof AegisError
      ? { accepted: false, code: e.code }
      : { accepted: false, error: e }
  }
}

/**
 * Returns a description of the mismatch, or undefined when the outcome is right.
 * `acceptable` maps a flag to whether we accept vectors carrying it; an acceptable vector whose
 * flags are not all in the map is a failure, so a new kind of vector forces a decision.
 */
export function judge(
  t: { tcId: number; result: string; flags: string[]; comment: string },
  o: Outcome,
  allowedCodes: readonly ErrorCode[],
  acceptable: Record<string, boolean> = {},
): string | undefined {
  const where = `tcId ${t.tcId} (${t.result}, ${t.flags.join(',')}: ${t.comment})`
  if (o.error !== undefined) return `${where}: untyped exception ${String(o.error)}`
  if (o.code !== undefined && !allowedCodes.includes(o.code))
    return `${where}: unexpected code ${o.code}`
  switch (t.result) {
    case 'valid':
      return o.accepted ? undefined : `${where}: rejected${o.code ? ' with ' + o.code : ''}`
    case 'invalid':
      return o.accepted ? `${where}: accepted` : undefined
    case 'acceptable': {
      const decided = t.flags.filter((f) => Object.hasOwn(acceptable, f))
      if (decided.length === 0)
        return `${where}: no recorded decision for flags ${t.flags.join(',')}`
      const want = decided.every((f) => acceptable[f])
      return o.accepted === want ? undefined : `${where}: expected ${want ? 'accept' : 'reject'}`
    }
    default:
      return `${where}: unknown result string`
  }
}
