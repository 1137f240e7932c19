// `aegis agent run`: the event log path in agent.json, and what the sender does with the
// collector's event-log answers (retry at once with the log, or drop the refused batch).
import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { parseAgentConfig } from '../../../agent/config/agent-config.ts'
import { classifyFailure } from '../../../agent/run/classify-failure.ts'

const valid = {
  collector: 'http://127.0.0.1:8787',
  tpm: 'swtpm:host=127.0.0.1,port=2321',
  stateDir: 'state',
  intervalSeconds: 60,
  location: { fixed: { lat: 48.8566, lon: 2.3522, accuracyM: 10 } },
  sensor: { id: 'gnss:ublox-m8', firmware: 'fw-3.01' },
}
const fromCollector = (
  code: 'ERR_EVENTLOG_REQUIRED' | 'ERR_EVENTLOG_POLICY' | 'ERR_EVENTLOG_REPLAY',
) => new AegisError(code, 'refused', { detail: { httpStatus: 403 } })

describe('agent event-log configuration', () => {
  it('resolves eventLog against the config file, unset by default', () => {
    expect(parseAgentConfig({ ...valid, eventLog: 'bios.bin' }, '/srv').eventLog).toBe(
      '/srv/bios.bin',
    )
    expect(parseAgentConfig(valid, '/srv').eventLog).toBeUndefined()
    expect(() => parseAgentConfig({ ...valid, eventLog: 7 }, '/srv')).toThrow(AegisError)
  })

  it('renonces on ERR_EVENTLOG_REQUIRED, drops a batch refused by the event-log policy', () => {
    expect(classifyFailure(fromCollector('ERR_EVENTLOG_REQUIRED')).action).toBe('renonce')
    expect(classifyFailure(fromCollector('ERR_EVENTLOG_POLICY')).action).toBe('drop')
    expect(classifyFailure(fromCollector('ERR_EVENTLOG_REPLAY')).action).toBe('drop')
  })
})
