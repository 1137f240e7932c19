/**
 * Development-only fault injection for the soak benchmark (docs/benchmarks.md "soak"): with
 * `SYNC_FAULTS` set, e.g. `r2:0.02,log:0.02,d1:0.02,ack:0.02`, each named step of storing a queue
 * batch fails with that probability, so retries, redeliveries and the idempotency of every step
 * run under load:
 *   r2   before the pack is written        log  before the log append (the pack is written)
 *   d1   before the D1 batch (pack written, bundles logged)
 *   ack  after the D1 batch, before the outbox ack (everything stored, the messages redelivered)
 * Ignored unless ENVIRONMENT is development or test (isDevelopment): a deployed collector never
 * fails on purpose. Malformed values are ignored too (a test switch, not configuration).
 */
import { isDevelopment } from '../config/defaults.ts'

export type FaultPoint = 'r2' | 'log' | 'd1' | 'ack'

export class InjectedFault extends Error {}

export function faultInjector(env: {
  SYNC_FAULTS?: string
  ENVIRONMENT?: string
}): (at: FaultPoint) => void {
  if (!env.SYNC_FAULTS || !isDevelopment(env)) return () => {}
  const rates = new Map<string, number>()
  for (const part of env.SYNC_FAULTS.split(',')) {
    const [k, v] = part.split(':')
    const p = Number(v)
    if (k && Number.isFinite(p) && p >= 0 && p <= 1) rates.set(k.trim(), p)
  }
  return (at) => {
    if (Math.random() < (rates.get(at) ?? 0)) throw new InjectedFault(`injected fault: ${at}`)
  }
}
