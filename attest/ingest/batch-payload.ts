/**
 * The metric batch payload (DESIGN.md "Batch ingest" step 2): UTF-8 JSON whose exact bytes the
 * TPM quote covers (via qualifyingData), so it is parsed from those bytes and never re-serialised.
 * Times are milliseconds since the Unix epoch. Unknown fields are rejected.
 */
import { fromUtf8 } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import { array, num, object, optional, str, validate, record } from '../json/schema.ts'

export const MAX_METRICS = 2000

export const BatchPayloadSchema = object({
  agentId: str({ pattern: /^[0-9a-f]{64}$/ }),
  seq: num({ integer: true, min: 0 }),
  collectedAt: num({ integer: true, min: 0 }),
  location: object({
    lat: num({ min: -90, max: 90 }),
    lon: num({ min: -180, max: 180 }),
    accuracyM: num({ min: 0, max: 100_000 }),
    fixTime: num({ integer: true, min: 0 }),
    sensorId: str({ min: 1, max: 128 }),
  }),
  metrics: array(
    object({
      name: str({ min: 1, max: 96, pattern: /^[a-z][a-z0-9_.:-]*$/ }),
      value: num(),
      unit: optional(str({ max: 32 })),
      labels: optional(record(/^[a-z][a-z0-9_]{0,31}$/, str({ max: 128 }), { max: 8 })),
    }),
    { max: MAX_METRICS },
  ),
})

export type BatchPayload = ReturnType<typeof BatchPayloadSchema>

export function parseBatchPayload(bytes: Uint8Array): BatchPayload {
  let json: unknown
  try {
    json = JSON.parse(fromUtf8(bytes, 'payload'))
  } catch (e) {
    throw new AegisError('ERR_INPUT_MALFORMED', 'payload is not UTF-8 JSON', {
      cause: e,
      detail: { path: '$.payload' },
    })
  }
  return validate(json, BatchPayloadSchema)
}
