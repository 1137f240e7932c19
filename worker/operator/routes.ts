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
import { unwrap } from '../ledger/rpc-result.ts'
import { agentStatus, getAgent, listAgents, type AgentRow } from '../store/agents.ts'
import { listDecisions } from '../store/decisions.ts'
import { residencyForZones } from '../residency/assign-zones.ts'
import { preassignZones } from '../residency/pending-zones.ts'
import { checkZoneJurisdictionChange } from '../residency/zone-change.ts'
import { inScope } from '../residency/scope.ts'
import { agentResidency } from '../residency/agent-view.ts'
import { array, bool, num, object, optional, str, validate } from '../../attest/json/schema.ts'
import { validateAllowlist, validatePolicy, validateTrust } from './config-bodies.ts'
import { AGENT_ID, auditRange, queryLimit } from '../http/params.ts'

const MAX_CONFIG_BODY = 1024 * 1024
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
  await checkZoneJurisdictionChange(c.env, zone)
  await writeZone(c.env, zone)
  return c.json({ zone })
})

operatorRoutes.delete('/v1/zones/:zoneId', requireRole('operator'), async (c) => {
  if (!(await deleteZone(c.env, c.req.param('zoneId'))))
    throw new AegisError('ERR_NOT_FOUND', 'no such zone')
  return c.body(null, 204)
})

// ---- agents -------------------------------------------------------------------------------

function agentView(r: AgentRow) {
  return {
    agentId: r.agentId,
    status: r.status,
    ekCertSerial: r.ekCertSerial,
    ekCertIssuer: r.ekCertIssuer,
    akName: r.akName,
    sensor: r.sensor,
    zones: r.zones,
    platform: r.platform,
    pcrBaseline: r.pcrBaseline,
    enrolledAt: new Date(r.enrolledAt).toISOString(),
    revokedAt: r.revokedAt === null ? null : new Date(r.revokedAt).toISOString(),
    revokedReason: r.revokedReason,
  }
}

operatorRoutes.get('/v1/agents', requireRole('operator'), async (c) => {
  const status = c.req.query('status')
  if (status !== undefined && status !== 'active' && status !== 'revoked') {
    throw new AegisError('ERR_INPUT_MALFORMED', 'status must be active or revoked')
  }
  const limit = queryLimit(c.req.query('limit'))
  const after = c.req.query('after') ?? ''
  const rows = await listAgents(c.env.DB, { status: status ?? null, after, limit })
  // A token scoped to jurisdictions lists unrestricted agents and those in its jurisdictions.
  const principal = c.get('principal')
  const agents = rows
    .filter((r) => inScope(principal, r.jurisdiction))
    .map((r) => ({ ...agentView(r), jurisdiction: r.jurisdiction }))
  const last = rows.at(-1)?.agentId
  return c.json({ agents, next: rows.length === limit ? last : null })
})

function agentParam(id: string): string {
  if (!AGENT_ID.test(id)) throw new AegisError('ERR_AGENT_UNKNOWN', 'no such agent')
  return id
}

operatorRoutes.get('/v1/agents/:agentId', requireRole('operator'), async (c) => {
  const id = agentParam(c.req.param('agentId'))
  const row = await getAgent(c.env.DB, id)
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
  if ((await agentStatus(c.env.DB, id)) === null)
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
  const rows = await listDecisions(c.env.DB, {
    agentId: q.agent ?? null,
    code: q.code ?? null,
    verdict: q.verdict ?? null,
    // A token scoped to jurisdictions sees unrestricted agents and those in its jurisdictions.
    scope: c.get('principal').jurisdictions,
    ...auditRange(q),
  })
  return c.json({ decisions: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) })
})
