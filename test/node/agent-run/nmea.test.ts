/**
 * NMEA 0183 parsing and fix tracking against sentences recorded from real receivers (the gpsd
 * project's regression logs, test/vectors/location/README.md): positions are checked against
 * gpsd's own decoding of the same sentences (its TPV output), bad checksums and no-fix
 * reports against the u-blox LEA-5Q cold start and the ST Teseo log's corrupted GSV, and the
 * file/FIFO source end to end.
 */
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NmeaFixTracker } from '../../../agent/location/nmea-fixes.ts'
import { parseNmeaLine } from '../../../agent/location/nmea-parse.ts'
import { NmeaSource } from '../../../agent/location/nmea-source.ts'

const VEC = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../vectors/location')
const lines = (f: string) =>
  readFileSync(path.join(VEC, f), 'latin1')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
const tmp = mkdtempSync(path.join(tmpdir(), 'aegis-nmea-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const until = async (f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('parseNmeaLine', () => {
  it('decodes GGA, GSA and RMC from a GlobalSat BU-353-S4 exactly as gpsd does', () => {
    const gga = parseNmeaLine(
      '$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D',
    )
    expect(gga).toMatchObject({
      ok: true,
      sentence: { type: 'GGA', talker: 'GP', quality: 1, satellites: 8, hdop: 1.1 },
    })
    // gpsd: {"class":"TPV","mode":3,"lat":-37.784788333,"lon":175.314896667,...} (bu353s4.tpv.jsonl line 1)
    const s = gga.ok && gga.sentence.type === 'GGA' ? gga.sentence : undefined
    expect(s?.lat).toBeCloseTo(-37.784788333, 8)
    expect(s?.lon).toBeCloseTo(175.314896667, 8)
    expect(s?.time?.ms).toBe((3 * 3600 + 7 * 60 + 19) * 1000)
    expect(parseNmeaLine('$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33')).toMatchObject({
      ok: true,
      sentence: { type: 'GSA', mode: 3, pdop: 1.8, hdop: 1.1 },
    })
    expect(
      parseNmeaLine('$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D'),
    ).toMatchObject({
      ok: true,
      sentence: { type: 'RMC', valid: true, date: { year: 2014, month: 12, day: 31 } },
    })
  })

  it('accepts GN talkers and the doubled $ of the Teseo log, and reads GST sigmas', () => {
    expect(
      parseNmeaLine('$$GNGGA,135806.000,4723.00484,N,00045.88150,E,1,13,1.7,063.64,M,48.3,M,,*78'),
    ).toMatchObject({
      ok: true,
      sentence: { type: 'GGA', talker: 'GN', hdop: 1.7 },
    })
    expect(parseNmeaLine('$$GNGST,135806.000,6.1,4.0,4.0,61.0,4.6,4.4,4.8*4E')).toMatchObject({
      ok: true,
      sentence: { type: 'GST', sigmaLat: 4.6, sigmaLon: 4.4 },
    })
  })

  it('rejects the recorded sentence with a bad checksum, and any altered sentence', () => {
    // st-teseo-liv4f.log: "One $GPGSV with bad checksum" (its header)
    const bad = lines('st-teseo-liv4f.nmea').filter((l) => {
      const r = parseNmeaLine(l)
      return !r.ok && r.reason === 'checksum'
    })
    expect(bad).toEqual(['$$GPGSV,3,2,09,18,35,054,22,10,33,146,,08,27,286,38,07,14,316,42,7*6E'])
    const good = '$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D'
    expect(parseNmeaLine(good.replace('3747.0873', '3747.0874'))).toEqual({
      ok: false,
      reason: 'checksum',
    })
    expect(parseNmeaLine(good.replace('*7D', '*7E'))).toEqual({ ok: false, reason: 'checksum' })
    expect(parseNmeaLine(good.replace('*7D', ''))).toEqual({ ok: false, reason: 'no-checksum' })
    expect(parseNmeaLine(good.replace('*7D', '*7'))).toEqual({ ok: false, reason: 'checksum' })
  })

  it('rejects malformed fields and non-NMEA lines', () => {
    const withSum = (body: string) => {
      let c = 0
      for (const ch of body) c ^= ch.charCodeAt(0)
      return `$${body}*${c.toString(16).toUpperCase().padStart(2, '0')}`
    }
    expect(
      parseNmeaLine(
        withSum('GPGGA,030719.000,3760.0000,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000'),
      ),
    ).toEqual({
      ok: false,
      reason: 'malformed',
    })
    expect(
      parseNmeaLine(
        withSum('GPGGA,030719.000,3747.0873,X,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000'),
      ),
    ).toEqual({
      ok: false,
      reason: 'malformed',
    })
    expect(
      parseNmeaLine(
        withSum('GPGGA,250719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000'),
      ),
    ).toEqual({
      ok: false,
      reason: 'malformed',
    })
    expect(
      parseNmeaLine(withSum('GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311314,,,A')),
    ).toEqual({
      ok: false,
      reason: 'malformed',
    })
    expect(parseNmeaLine('{"class":"TPV"}')).toEqual({ ok: false, reason: 'not-nmea' })
  })
})

describe('NmeaFixTracker', () => {
  it('reproduces gpsd fixes for the BU-353-S4 log: position, time from the RMC date, eph as accuracy', () => {
    const t = new NmeaFixTracker()
    const log = lines('bu353s4.nmea')
    // GGA before the first RMC: a position but no date yet, so no fix (gpsd's first TPVs have no time).
    t.feed(log[0]!)
    expect(t.latest()).toBeUndefined()
    const tpv = readFileSync(path.join(VEC, 'bu353s4.tpv.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { lat: number; lon: number; eph: number; time?: string })
      .filter((x) => x.time)
    let checked = 0
    for (const l of log.slice(1)) {
      t.feed(l)
      if (!l.includes('RMC')) continue
      const want = tpv[checked++]!
      const got = t.latest()!
      expect(got.lat).toBeCloseTo(want.lat, 8)
      expect(got.lon).toBeCloseTo(want.lon, 8)
      expect(got.accuracyM).toBeCloseTo(want.eph, 6) // HDOP 1.1 x 19 m = 20.9
      expect(new Date(got.fixTime).toISOString()).toBe(want.time)
    }
    expect(checked).toBeGreaterThan(20)
    expect(t.stats).toMatchObject({ badChecksum: 0, malformed: 0 })
  })

  it('takes the accuracy from GST when the epoch has one (ST Teseo LIV4F)', () => {
    const t = new NmeaFixTracker()
    for (const l of lines('st-teseo-liv4f.nmea')) {
      t.feed(l)
      if (l.includes('GNGST,135806.000')) break
    }
    const f = t.latest()!
    expect(f.lat).toBeCloseTo(47.383414, 8) // gpsd TPV for this epoch: lat 47.383414000, lon 0.764691667
    expect(f.lon).toBeCloseTo(0.764691667, 8)
    expect(f.fixTime).toBe(Date.parse('2025-03-21T13:58:06.000Z'))
    expect(f.accuracyM).toBeCloseTo(2 * Math.hypot(4.6, 4.4), 3)
  })

  it('reports no fix through a u-blox LEA-5Q cold start (GGA quality 0, RMC V, GSA mode 1)', () => {
    const t = new NmeaFixTracker()
    for (const l of lines('ublox-lea-5q.nmea')) t.feed(l)
    expect(t.latest()).toBeUndefined()
    expect(t.stats.sentences).toBeGreaterThan(50)
    expect(t.stats.badChecksum).toBe(0)
  })

  it('forgets a fix as soon as the receiver reports losing it', () => {
    const t = new NmeaFixTracker()
    for (const l of lines('bu353s4.nmea').slice(0, 6)) t.feed(l)
    expect(t.latest()).toBeDefined()
    t.feed('$GPRMC,001902.00,V,,,,,,,020211,,,N*77') // recorded: ublox-lea-5q.nmea
    expect(t.latest()).toBeUndefined()
    for (const l of lines('bu353s4.nmea').slice(0, 6)) t.feed(l)
    t.feed('$GPGGA,001901.00,,,,,0,00,99.99,,,,,,*6F') // recorded: ublox-lea-5q.nmea
    expect(t.latest()).toBeUndefined()
  })

  it('never takes a position from a sentence with a bad checksum', () => {
    const t = new NmeaFixTracker()
    t.feed('$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D')
    const before = t.latest()
    t.feed('$GPRMC,030720.000,A,4747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D')
    expect(t.latest()).toEqual(before)
    expect(t.stats.badChecksum).toBe(1)
  })
})

describe('NmeaSource', () => {
  it('follows a growing file: no fix, then the recorded fix, aged by its own time', async () => {
    const file = path.join(tmp, 'gnss.nmea')
    writeFileSync(file, lines('ublox-lea-5q.nmea').join('\r\n') + '\r\n')
    const src = new NmeaSource(file, 60_000, undefined, 20)
    src.start()
    try {
      await until(() => src.tracker.stats.sentences > 50)
      expect(src.status()).toMatchObject({ source: 'nmea', lastFix: null })
      appendFileSync(file, lines('bu353s4.nmea').slice(0, 6).join('\r\n') + '\r\n')
      await until(() => src.status().lastFix !== null)
      const fixTime = Date.parse('2014-12-31T03:07:20.000Z')
      expect(src.status().lastFix).toMatchObject({ fixTime })
      // Recorded in 2014: stale now, fresh at its own time.
      expect(src.current(Date.now())).toBeUndefined()
      expect(src.current(fixTime + 1000)).toMatchObject({ accuracyM: 20.9 })
      expect(src.status().problem).toMatch(/stale/)
    } finally {
      await src.stop()
    }
  })

  it('reads a FIFO as a stream (a serial device behaves the same) and stops cleanly', async () => {
    const fifo = path.join(tmp, 'tty.fifo')
    execFileSync('mkfifo', [fifo])
    const src = new NmeaSource(fifo, 60_000, undefined, 20)
    src.start()
    const { open } = await import('node:fs/promises')
    const w = await open(fifo, 'w')
    try {
      const teseo = lines('st-teseo-liv4f.nmea')
      await w.write(teseo.slice(0, 40).join('\r\n') + '\r\n')
      await until(() => src.status().lastFix !== null)
      expect(src.status().lastFix).toMatchObject({
        fixTime: Date.parse('2025-03-21T13:58:06.000Z'),
      })
    } finally {
      await w.close()
      await src.stop()
    }
  })

  it('waits for a device that is not there yet and says why', async () => {
    const src = new NmeaSource(path.join(tmp, 'missing-tty'), 60_000, undefined, 20)
    src.start()
    await until(() => /cannot read/.test(src.status().problem ?? ''))
    await src.stop()
  })
})
