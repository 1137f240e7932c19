-- Scale and cost (issue 14, docs/scale.md): D1 bills every row written, index entries included,
-- and every accepted batch writes one `decisions` row. decisions_code_at (code, at) served no
-- query: the audit listing and the rejection counts filter by time (decisions_at), the fleet views
-- by agent (decisions_agent_at), and `(?2 IS NULL OR code = ?2)` cannot use an index on code
-- anyway (EXPLAIN QUERY PLAN, test/worker/sync/write-rows.test.ts). Dropping it takes one billed
-- row off every batch (10 -> 9) and every decision.
DROP INDEX IF EXISTS decisions_code_at;
