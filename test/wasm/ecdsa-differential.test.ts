/**
 * The Wasm ECDSA backend and @noble/curves agree on 10,000 generated cases per curve (valid,
 * mutated and malformed signatures, digests and keys; see ecdsa-differential.ts for the mix and
 * the oracles), one row per curve so a failure names its curve. The tallies guard against a
 * generator that stops producing one kind of answer.
 */
import { expect, it } from 'vitest'
import { runDifferential } from './ecdsa-differential.ts'
import { CURVES } from './ecdsa-helpers.ts'

const RUNS = 10_000

it.each(['P-256', 'P-384'])(
  '%s: same answer as @noble/curves on every case',
  (curve) => {
    const t = runDifferential(
      CURVES.find((c) => c.name === curve)!,
      RUNS,
    )
    expect(t.cases).toBeGreaterThanOrEqual(RUNS)
    expect(t.valid).toBeGreaterThan(RUNS / 5)
    expect(t.invalid).toBeGreaterThan(RUNS / 5)
    expect(t['bad-key']).toBeGreaterThan(RUNS / 50)
    expect(t.nobleVerify).toBeGreaterThan(RUNS / 20)
  },
  600_000,
)
