-- Anonymous refusals, aggregated (issue 12): a refused request that did not prove it came from an
-- enrolled agent (bad input, unknown agent, bad nonce or quote, rate limited) adds 1 to the row of
-- its minute, route kind, code, agent and client address, instead of one `decisions` row each.
-- agent_id is '' when the agentId named no enrolled agent, so random agentIds add no rows.
-- Counting is at least once (a redelivered queue message counts twice). Enrolled agents'
-- decisions stay one row each in `decisions`.
CREATE TABLE refusals (
  minute    INTEGER NOT NULL,               -- floor(ms epoch / 60000)
  kind      TEXT NOT NULL,                  -- 'enroll' | 'activate' | 'nonce' | 'batch'
  code      TEXT NOT NULL,
  agent_id  TEXT NOT NULL DEFAULT '',
  client    TEXT NOT NULL DEFAULT '',       -- CF-Connecting-IP
  count     INTEGER NOT NULL,
  first_at  INTEGER NOT NULL,               -- ms epoch
  last_at   INTEGER NOT NULL,
  PRIMARY KEY (minute, kind, code, agent_id, client)
);
CREATE INDEX refusals_client_minute ON refusals(client, minute);
CREATE INDEX refusals_code_minute ON refusals(code, minute);
