/**
 * Shapes of the collector's JSON answers as the console reads them (worker/dashboard,
 * worker/operator, worker/provenance). Only the fields the views use; the worker is the source
 * of truth and these are checked by the end-to-end tests against a live collector.
 */
export type Role = 'operator' | 'auditor' | 'viewer'

export interface Me {
  sub: string
  roles: Role[]
  iss: string
}

export interface Fix {
  lat: number
  lon: number
  accuracyM: number
}

export interface FleetAgent {
  agentId: string
  status: 'active' | 'revoked' | 'failing'
  zones: string[]
  /** Where its data lives (docs/sovereignty.md): eu, us, fedramp; null: unrestricted. */
  jurisdiction: string | null
  sensorId: string
  enrolledAt: string
  batches: number
  lastBatch: {
    batchId: string
    seq: number
    acceptedAt: string
    zone: string | null
    fix: Fix
  } | null
  /** `fix`: what the agent reported, when the refusal was a geofence one that recorded it */
  lastRejection: { code: string; at: string; fix?: Fix } | null
}

export type Position = [number, number]
export interface Zone {
  id: string
  name: string
  geometry:
    | { type: 'Polygon'; coordinates: Position[][] }
    | { type: 'MultiPolygon'; coordinates: Position[][][] }
  countries?: string[]
}

export interface AggregatePoint {
  t: string
  zone: string | null
  agentId: string
  count: number
  sum: number
  min: number
  max: number
  avg: number
}

export interface Aggregates {
  metric: string
  /** the metric's unit as agents report it (By, %, s, ...), null when unknown */
  unit: string | null
  from: string
  to: string
  stepSeconds: number
  points: AggregatePoint[]
}

export interface RejectionCounts {
  from: string
  to: string
  counts: { code: string; count: number }[]
}

export interface ConfigDoc<T> {
  key: string
  value: T | null
  version: number
  source?: 'operator' | 'default' | 'unset'
}

// The operator settings documents, exactly as the worker defines them (type-only import).
export type { AllowlistSettings, TrustSettings } from '../../../worker/config/types.ts'

// Shared with the CLI and the agent (attest/wire/types.ts).
export type { Decision, OperatorAgent } from '../../../attest/wire/types.ts'
