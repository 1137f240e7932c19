/**
 * Decisions go to the central audit trail (queue, then D1 `decisions`). A geofence refusal's
 * detail carries the fix the agent reported (attest/geofence/check-fix.ts) and the nearest zone
 * point; for an agent in a jurisdiction only the fix's grid cell may leave (docs/sovereignty.md),
 * and the nearest point, which would place the device as well, is left out.
 */
import { coarsen } from '../../attest/geofence/coarsen.ts'
import type { Decision } from '../audit/record-decision.ts'
import { gridDeg } from './bindings.ts'
import { residencyOf } from './directory.ts'

export async function centralDecision(env: Env, d: Decision): Promise<Decision> {
  const fix = d.detail?.fix as { lat?: unknown; lon?: unknown } | undefined
  if (!d.agentId || !d.detail || (!fix && !('nearest' in d.detail))) return d
  if (!(await residencyOf(env, d.agentId))) return d
  const { nearest: _nearest, fix: _fix, ...rest } = d.detail
  const cell =
    typeof fix?.lat === 'number' && typeof fix.lon === 'number'
      ? { fix: coarsen(fix.lat, fix.lon, gridDeg(env)) }
      : {}
  return { ...d, detail: { ...rest, ...cell } }
}
