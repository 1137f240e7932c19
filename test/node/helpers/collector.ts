/**
 * Start a real collector for an integration test (wrangler dev with local bindings, fresh dev
 * keys, migrations applied, swtpm CA seeded). The implementation lives in bench/harness, shared
 * with the ingest benchmark; call stop() in afterAll.
 */
export { startCollector, type Collector } from '../../../bench/harness/collector.ts'
