/**
 * P-256: the Wasm ECDSA backend and @noble/curves agree on 10,000 generated cases (valid,
 * mutated and malformed signatures, digests and keys; see ecdsa-differential.ts for the mix and
 * the oracles). The tallies guard against a generator that stops producing one kind of answer.
 */
import { expect, it } from 'vitest'
import { runDifferential } from './ecdsa-differential.ts'
import { CURVES } from './ecdsa-helpers.ts'

const RUNS = 10_000

it('P-256: same answer as @noble/curves on every case', () => {
  const t = runDifferential(
    CURVES.find((c) => c.name === 'P-256')!,
    RUNS,
  )
  expect(t.cases).toBeGreaterThanOrEqual(RUNS)
  expect(t.valid).toBeGreaterThan(RUNS / 5)
  expect(t.invalid).toBeGreaterThan(RUNS / 5)
  expect(t['bad-key']).toBeGreaterThan(RUNS / 50)
  expect(t.nobleVerify).toBeGreaterThan(RUNS / 20)
}, 600_000)
