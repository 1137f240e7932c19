-- Aegis Edge central store (D1). Durable Objects hold the hot replay state; D1 is the queryable
-- record for operators, auditors and dashboards. See docs/storage.md.

-- Enrolled agents. agent_id = hex SHA-256 of the EK's TPMT_PUBLIC bytes (permanent per device).
CREATE TABLE agents (
  agent_id        TEXT PRIMARY KEY,
  status          TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  ek_public       TEXT NOT NULL,            -- base64url TPMT_PUBLIC
  ek_cert_sha256  TEXT,                     -- hex SHA-256 of the EK certificate DER
  ek_cert_serial  TEXT,
  ek_cert_issuer  TEXT,
  ak_public       TEXT NOT NULL,            -- base64url TPMT_PUBLIC
  ak_name         TEXT NOT NULL,            -- hex nameAlg || H(AK public)
  platform        TEXT NOT NULL DEFAULT '{}', -- JSON, as declared by the agent
  sensor_id       TEXT NOT NULL,
  sensor_firmware TEXT NOT NULL,
  zones           TEXT NOT NULL DEFAULT '[]', -- JSON array of zone ids
  pcr_baseline    TEXT NOT NULL DEFAULT '{}', -- JSON {"sha256":{"0":hex,...}} pinned at activation
  enrolled_at     INTEGER NOT NULL,         -- ms epoch
  revoked_at      INTEGER,
  revoked_reason  TEXT
);
CREATE INDEX agents_status ON agents(status);

-- Operator configuration: one JSON document per key, versioned (trust, allowlist, pcr, geo, mode).
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  version    INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
);

-- Geofence zones (GeoJSON Polygon / MultiPolygon).
CREATE TABLE zones (
  zone_id    TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  geometry   TEXT NOT NULL,
  countries  TEXT NOT NULL DEFAULT '[]',
  updated_at INTEGER NOT NULL
);

-- Audit trail: every decision, allow and deny.
CREATE TABLE decisions (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,           -- ms epoch
  kind         TEXT NOT NULL,              -- 'enroll' | 'activate' | 'batch'
  agent_id     TEXT,
  batch_id     TEXT,
  verdict      TEXT NOT NULL CHECK (verdict IN ('accept', 'reject', 'accept-audit')),
  code         TEXT,                       -- ERR_* for rejections and audit-mode would-be rejections
  zone         TEXT,
  cf_country   TEXT,
  verify_ms    REAL,
  detail       TEXT                        -- JSON, non-secret
);
CREATE INDEX decisions_agent_at ON decisions(agent_id, at);
CREATE INDEX decisions_code_at ON decisions(code, at);
CREATE INDEX decisions_at ON decisions(at);
