/**
 * Operator and auditor APIs (DESIGN.md "Access control"): configuration (trust roots, EK
 * allowlist, policy, zones), agent management (list, inspect, revoke, assign zones) and the
 * decision audit trail. Every route declares its role; there is no unauthenticated route here.
 */
import { Hono } from 'hono'
import { parseZone } from '../../attest/geofence/parse-zone.ts'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { DEV_POLICY, EMPTY_ALLOWLIST, isDevelopment } from '../config/defaults.ts'
import {
  deleteZone,
  loadConfig,
  readSetting,
  writeSetting,
  writeZone,
  type SettingsKey,
} from '../config/settings-store.ts'
import { readJson } from '../http/json-body.ts'
import { agentLedger } from '../ledger/ledger-stub.ts'
import { agentStatus } from '../ledger/agent-exists.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { residencyForZones } from '../residency/assign-zones.ts'
import { preassignZones } from '../residency/pending-zones.ts'
import { agentResidency } from '../residency/agent-view.ts'
import type { Jurisdiction } from '../residency/jurisdiction.ts'
import { array, bool, num, object, optional, str, validate } from '../../attest/json/schema.ts'
import { validateAllowlist, validatePolicy, validateTrust } from './config-bodies.ts'

const MAX_CONFIG_BODY = 1024 * 1024
const AGENT_ID = /^[0-9a-f]{64}$/
const ZONE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

const VALIDATORS: Record<SettingsKey, (raw: unknown) => unknown> = {
  trust: validateTrust,
  allowlist: validateAllowlist,
  policy: validatePolicy,
}

function settingsKey(k: string): SettingsKey {
  if (k in VALIDATORS) return k as SettingsKey
  throw new AegisError('ERR_NOT_FOUND', `no configuration '${k}'`)
}

function principalName(c: { get(k: 'principal'): unknown }): string {
  const p = c.get('principal') as { sub?: string } | undefined
  return p?.sub ?? 'unknown'
}

export const operatorRoutes = new Hono<AppEnv>()

// ---- configuration ------------------------------------------------------------------------

operatorRoutes.get('/v1/config/:key', requireRole('operator'), async (c) => {
  const key = settingsKey(c.req.param('key'))
  const stored = await readSetting(c.env, key)
  if (stored)
    return c.json({ key, value: stored.value, version: stored.version, source: 'operator' })
  const dev = isDevelopment(c.env)
  const fallback =
    key === 'allowlist' ? EMPTY_ALLOWLIST : key === 'policy' && dev ? DEV_POLICY : null
  return c.json({ key, value: fallback, version: 0, source: fallback ? 'default' : 'unset' })
})

operatorRoutes.put('/v1/config/:key', requireRole('operator'), async (c) => {
  const key = settingsKey(c.req.param('key'))
  const body = validate(
    await readJson(c.req.raw, MAX_CONFIG_BODY),
    object({ value: (v: unknown) => v, ifVersion: optional(num({ integer: true, min: 0 })) }),
  )
  const value = VALIDATORS[key](body.value)
  const version = await writeSetting(c.env, key, value, principalName(c), body.ifVersion)
  return c.json({ key, value, version })
})

// ---- zones --------------------------------------------------------------------------------

operatorRoutes.get('/v1/zones', requireRole('viewer'), async (c) => {
  const { zones } = await loadConfig(c.env)
  return c.json({ zones: [...zones.values()] })
})

operatorRoutes.put('/v1/zones/:zoneId', requireRole('operator'), async (c) => {
  const id = c.req.param('zoneId')
  if (!ZONE_ID.test(id))
    throw new AegisError('ERR_INPUT_MALFORMED', 'zone id must match ' + ZONE_ID)
  const raw = await readJson(c.req.raw, MAX_CONFIG_BODY)
  const zone = parseZone(typeof raw === 'object' && raw !== null ? { ...raw, id } : raw)
  await writeZone(c.env, zone)
  return c.json({ zone })
})

operatorRoutes.delete('/v1/zones/:zoneId', requireRole('operator'), async (c) => {
  if (!(await deleteZone(c.env, c.req.param('zoneId'))))
    throw new AegisError('ERR_NOT_FOUND', 'no such zone')
  return c.body(null, 204)
})

// ---- agents -------------------------------------------------------------------------------

interface AgentRow {
  agent_id: string
  status: string
  ek_cert_serial: string | null
  ek_cert_issuer: string | null
  ak_name: string
  sensor_id: string
  sensor_firmware: string
  zones: string
  platform: string
  pcr_baseline: string
  enrolled_at: number
  revoked_at: number | null
  revoked_reason: string | null
}

function agentView(r: AgentRow) {
  return {
    agentId: r.agent_id,
    status: r.status,
    ekCertSerial: r.ek_cert_serial,
    ekCertIssuer: r.ek_cert_issuer,
    akName: r.ak_name,
    sensor: { id: r.sensor_id, firmware: r.sensor_firmware },
    zones: JSON.parse(r.zones) as string[],
    platform: JSON.parse(r.platform) as unknown,
    pcrBaseline: JSON.parse(r.pcr_baseline) as unknown,
    enrolledAt: new Date(r.enrolled_at).toISOString(),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
    revokedReason: r.revoked_reason,
  }
}

operatorRoutes.get('/v1/agents', requireRole('operator'), async (c) => {
  const status = c.req.query('status')
  if (status !== undefined && status !== 'active' && status !== 'revoked') {
    throw new AegisError('ERR_INPUT_MALFORMED', 'status must be active or revoked')
  }
  const limit = Math.min(Number(c.req.query('limit') ?? 100) || 100, 1000)
  const after = c.req.query('after') ?? ''
  const rows = await c.env.DB.prepare(
    `SELECT agents.*, r.jurisdiction FROM agents LEFT JOIN agent_residency r USING (agent_id)
       WHERE (?1 IS NULL OR status = ?1) AND agent_id > ?2 ORDER BY agent_id LIMIT ?3`,
  )
    .bind(status ?? null, after, limit)
    .all<AgentRow & { jurisdiction: Jurisdiction | null }>()
  // A token scoped to jurisdictions lists unrestricted agents and those in its jurisdictions.
  const scope = c.get('principal').jurisdictions
  const agents = rows.results
    .filter((r) => !scope || !r.jurisdiction || scope.includes(r.jurisdiction))
    .map((r) => ({ ...agentView(r), jurisdiction: r.jurisdiction }))
  const last = rows.results.at(-1)?.agent_id
  return c.json({ agents, next: rows.results.length === limit ? last : null })
})

function agentParam(id: string): string {
  if (!AGENT_ID.test(id)) throw new AegisError('ERR_AGENT_UNKNOWN', 'no such agent')
  return id
}

operatorRoutes.get('/v1/agents/:agentId', requireRole('operator'), async (c) => {
  const id = agentParam(c.req.param('agentId'))
  const row = await c.env.DB.prepare('SELECT * FROM agents WHERE agent_id = ?')
    .bind(id)
    .first<AgentRow>()
  if (!row) throw new AegisError('ERR_AGENT_UNKNOWN', 'no such agent')
  const residency = await agentResidency(c.env, id, c.get('principal'))
  const replay = await agentLedger(c.env, id).getReplayState()
  return c.json({ ...agentView(row), replay, residency })
})

operatorRoutes.post('/v1/agents/:agentId/revoke', requireRole('operator'), async (c) => {
  const id = agentParam(c.req.param('agentId'))
  const body = validate(
    await readJson(c.req.raw, 4096),
    object({ reason: str({ min: 1, max: 500 }) }),
  )
  await agentResidency(c.env, id, c.get('principal')) // refuses another jurisdiction's agent
  const stub = agentLedger(c.env, id)
  const rec = unwrap(await stub.revoke(`${body.reason} (by ${principalName(c)})`))
  return c.json({
    agentId: rec.agentId,
    status: rec.status,
    revokedAt: new Date(rec.revokedAt!).toISOString(),
  })
})

operatorRoutes.put('/v1/agents/:agentId/zones', requireRole('operator'), async (c) => {
  const id = agentParam(c.req.param('agentId'))
  const body = validate(
    await readJson(c.req.raw, 16 * 1024),
    object({ zones: array(str({ pattern: ZONE_ID }), { max: 64 }), move: optional(bool()) }),
  )
  const { zones } = await loadConfig(c.env)
  const unknown = body.zones.filter((z) => !zones.has(z))
  if (unknown.length) {
    throw new AegisError('ERR_INPUT_MALFORMED', `unknown zones: ${unknown.join(', ')}`, {
      detail: { unknown },
    })
  }
  // Not enrolled yet: the zones wait for its activation, its ledger is born in their jurisdiction.
  if ((await agentStatus(c.env, id)) === null)
    return c.json(await preassignZones(c.env, id, body.zones, zones, c.get('principal')))
  const moved = await residencyForZones(
    c.env,
    id,
    body.zones,
    zones,
    body.move === true,
    c.get('principal'),
  )
  const rec = unwrap(await agentLedger(c.env, id).setZones(body.zones))
  return c.json({ agentId: rec.agentId, zones: rec.zones, ...(moved ? { moved } : {}) })
})

// ---- audit trail --------------------------------------------------------------------------

operatorRoutes.get('/v1/decisions', requireRole('auditor'), async (c) => {
  const q = c.req.query()
  const limit = Math.min(Number(q.limit ?? 100) || 100, 1000)
  const from = q.from ? Date.parse(q.from) : 0
  const to = q.to ? Date.parse(q.to) : Number.MAX_SAFE_INTEGER
  if (Number.isNaN(from) || Number.isNaN(to))
    throw new AegisError('ERR_INPUT_MALFORMED', 'from/to must be ISO times')
  const rows = await c.env.DB.prepare(
    `SELECT * FROM decisions WHERE (?1 IS NULL OR agent_id = ?1) AND (?2 IS NULL OR code = ?2)
       AND (?3 IS NULL OR verdict = ?3) AND at >= ?4 AND at <= ?5 ORDER BY at DESC, id DESC LIMIT ?6`,
  )
    .bind(q.agent ?? null, q.code ?? null, q.verdict ?? null, from, to, limit)
    .all<Record<string, unknown>>()
  return c.json({
    decisions: rows.results.map((r) => ({
      ...r,
      at: new Date(r.at as number).toISOString(),
      detail: r.detail ? JSON.parse(r.detail as string) : null,
    })),
  })
})
