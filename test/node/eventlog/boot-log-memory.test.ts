// The agent sends the event log only when its quoted boot PCRs changed since the last accepted
// request, and again after the collector asked for it (ERR_EVENTLOG_REQUIRED).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fromB64url } from '../../../attest/bytes/encoding.ts'
import {
  forgetBootAccepted,
  noteBootAccepted,
  readEventLog,
  withEventLog,
} from '../../../agent/eventlog/boot-log.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'aegis-bootlog-'))
const log = new URL('../../vectors/eventlog/gce-rhel8.eventlog', import.meta.url).pathname
const req = (pcr4: string) => ({
  payload: 'x',
  quote: { pcrs: { sha256: { '0': 'aa', '4': pcr4, '15': 'ff' } } },
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('agent boot-log memory', () => {
  it('attaches the log until a request with these boot PCRs is accepted', async () => {
    const first = await withEventLog(dir, log, req('01'))
    expect(fromB64url(first.eventLog!)).toEqual(new Uint8Array(readFileSync(log)))
    await noteBootAccepted(dir, first.quote.pcrs)
    expect((await withEventLog(dir, log, req('01'))).eventLog).toBeUndefined()
    // the sensor PCR (15) is not a boot PCR: it changing does not resend the log
    const sensorMoved = {
      ...req('01'),
      quote: { pcrs: { sha256: { '0': 'aa', '4': '01', '15': '00' } } },
    }
    expect((await withEventLog(dir, log, sensorMoved)).eventLog).toBeUndefined()
    expect((await withEventLog(dir, log, req('02'))).eventLog).toBeDefined()
    await forgetBootAccepted(dir)
    expect((await withEventLog(dir, log, req('01'))).eventLog).toBeDefined()
  })

  it('sends nothing without a configured log, and a missing file is no log', async () => {
    expect((await withEventLog(dir, undefined, req('03'))).eventLog).toBeUndefined()
    expect(await readEventLog(path.join(dir, 'absent'))).toBeUndefined()
    await expect(readEventLog(dir)).rejects.toMatchObject({ code: 'ERR_IO' })
  })
})
