/**
 * gpsd JSON protocol: TPV decoding against gpsd's recorded output (bu353s4.tpv.jsonl: fixes,
 * including the position-without-time TPVs gpsd sends before the date is known;
 * bu303-nofix.tpv.jsonl: mode 1), and the client against a stand-in gpsd on a free port that
 * speaks the protocol (VERSION on connect, ?WATCH answered with DEVICES and WATCH, then TPVs):
 * fix, loss of fix, a dropped connection and the reconnect.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseGpsdLine } from '../../../agent/location/gpsd-parse.ts'
import { GpsdSource } from '../../../agent/location/gpsd-source.ts'
import { parseHostPort } from '../../../agent/config/agent-config.ts'

const VEC = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../vectors/location')
const jsonl = (f: string) => readFileSync(path.join(VEC, f), 'utf8').split('\n').filter(Boolean)

const until = async (f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('parseGpsdLine', () => {
  it('turns recorded TPVs into fixes with eph as accuracy, and holds back those without a time', () => {
    const out = jsonl('bu353s4.tpv.jsonl').map(parseGpsdLine)
    expect(out[0]).toEqual({ kind: 'incomplete', device: undefined }) // GGA before RMC: no time yet
    const fixes = out.filter((m) => m.kind === 'fix')
    expect(fixes.length).toBeGreaterThan(20)
    expect(fixes[0]).toEqual({
      kind: 'fix',
      device: undefined,
      fix: {
        lat: -37.784788333,
        lon: 175.314896667,
        accuracyM: 20.9,
        fixTime: Date.parse('2014-12-31T03:07:19.000Z'),
      },
    })
  })

  it('reads mode 1 as no fix (recorded: BU-303 without a fix)', () => {
    const out = jsonl('bu303-nofix.tpv.jsonl').map(parseGpsdLine)
    expect(out.length).toBeGreaterThan(3)
    for (const m of out) expect(m.kind).toBe('no-fix')
  })

  it('uses epx/epy when eph is absent, and refuses impossible or partial positions', () => {
    const base = { class: 'TPV', mode: 3, time: '2026-01-01T00:00:00.000Z', lat: 1, lon: 2 }
    expect(parseGpsdLine(JSON.stringify({ ...base, epx: 3, epy: 4 }))).toMatchObject({
      fix: { accuracyM: 5 },
    })
    expect(parseGpsdLine(JSON.stringify(base))).toMatchObject({ fix: { accuracyM: 100 } })
    expect(parseGpsdLine(JSON.stringify({ ...base, lat: 91 }))).toEqual({
      kind: 'incomplete',
      device: undefined,
    })
    expect(parseGpsdLine(JSON.stringify({ ...base, lon: null }))).toEqual({
      kind: 'incomplete',
      device: undefined,
    })
    expect(parseGpsdLine(JSON.stringify({ ...base, mode: 0 }))).toEqual({
      kind: 'no-fix',
      device: undefined,
    })
    expect(
      parseGpsdLine('{"class":"VERSION","release":"3.25","proto_major":3,"proto_minor":15}'),
    ).toEqual({
      kind: 'version',
      release: '3.25',
      protoMajor: 3,
    })
    expect(parseGpsdLine('{"class":"SKY","nSat":0}')).toEqual({ kind: 'other', class: 'SKY' })
    expect(parseGpsdLine('not json')).toEqual({ kind: 'invalid' })
    expect(parseGpsdLine('[1]')).toEqual({ kind: 'invalid' })
  })

  it('parses gpsd addresses', () => {
    expect(parseHostPort('localhost:2947')).toEqual({ host: 'localhost', port: 2947 })
    expect(parseHostPort('gps.local')).toEqual({ host: 'gps.local', port: 2947 })
    expect(parseHostPort('[::1]:3000')).toEqual({ host: '::1', port: 3000 })
    expect(parseHostPort('host:99999')).toBeUndefined()
    expect(parseHostPort('a b:1')).toBeUndefined()
  })
})

/** A stand-in gpsd: VERSION on connect; after ?WATCH, DEVICES + WATCH, then whatever the test sends. */
class FakeGpsd {
  server: Server = createServer((s) => this.onClient(s))
  clients: Socket[] = []
  watches: string[] = []
  port = 0

  async listen(port = 0): Promise<void> {
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', () => r()))
    this.port = (this.server.address() as { port: number }).port
  }

  private onClient(s: Socket) {
    this.clients.push(s)
    s.write('{"class":"VERSION","release":"3.25","rev":"3.25","proto_major":3,"proto_minor":15}\n')
    s.setEncoding('utf8')
    s.on('data', (d: string) => {
      this.watches.push(d)
      if (d.startsWith('?WATCH=')) {
        s.write(
          '{"class":"DEVICES","devices":[{"class":"DEVICE","path":"/dev/ttyACM0","driver":"u-blox","activated":"2026-01-01T00:00:00.000Z","flags":1,"native":1,"bps":9600,"parity":"N","stopbits":1,"cycle":1.00}]}\n',
        )
        s.write(
          '{"class":"WATCH","enable":true,"json":true,"nmea":false,"raw":0,"scaled":false,"timing":false,"split24":false,"pps":false}\n',
        )
      }
    })
    s.on('error', () => undefined)
  }

  send(obj: unknown) {
    for (const c of this.clients) if (!c.destroyed) c.write(JSON.stringify(obj) + '\n')
  }

  dropClients() {
    for (const c of this.clients) c.destroy()
    this.clients = []
  }

  async close() {
    this.dropClients()
    await new Promise((r) => this.server.close(r))
  }
}

describe('GpsdSource', () => {
  let gpsd: FakeGpsd | undefined
  let src: GpsdSource | undefined
  afterEach(async () => {
    await src?.stop()
    await gpsd?.close()
  })

  it('watches, keeps the newest fresh fix, forgets it on mode 1, and reconnects after a drop', async () => {
    gpsd = new FakeGpsd()
    await gpsd.listen()
    src = new GpsdSource('127.0.0.1', gpsd.port, 30_000, undefined, { initialMs: 50, maxMs: 200 })
    src.start()
    await until(() => gpsd!.watches.length > 0)
    expect(gpsd.watches[0]).toBe('?WATCH={"enable":true,"json":true};\n')
    expect(src.current(Date.now())).toBeUndefined()

    // The recorded TPVs, re-timed to now (their recorded time would rightly be stale).
    const recorded = jsonl('bu353s4.tpv.jsonl').map((l) => JSON.parse(l) as Record<string, unknown>)
    const now = new Date().toISOString()
    for (const tpv of recorded.slice(0, 3))
      gpsd.send({ ...tpv, device: '/dev/ttyACM0', ...(tpv.time ? { time: now } : {}) })
    await until(() => src!.current(Date.now()) !== undefined)
    expect(src.current(Date.now())).toMatchObject({
      lat: -37.784788333,
      lon: 175.314896667,
      accuracyM: 20.9,
    })

    // A second device may not move the position.
    gpsd.send({ class: 'TPV', device: '/dev/ttyUSB9', mode: 3, time: now, lat: 0, lon: 0, eph: 5 })
    await new Promise((r) => setTimeout(r, 100))
    expect(src.current(Date.now())).toMatchObject({ lat: -37.784788333 })

    gpsd.send({ class: 'TPV', device: '/dev/ttyACM0', mode: 1, time: now })
    await until(() => src!.current(Date.now()) === undefined)
    expect(src.status().problem).toMatch(/no fix/)

    gpsd.dropClients()
    await until(() => gpsd!.clients.length > 0 && gpsd!.watches.length > 1)
    gpsd.send({
      class: 'TPV',
      device: '/dev/ttyACM0',
      mode: 3,
      time: new Date().toISOString(),
      lat: 48.85,
      lon: 2.35,
      eph: 12,
    })
    await until(() => src!.current(Date.now()) !== undefined)
    expect(src.current(Date.now())).toMatchObject({ lat: 48.85, lon: 2.35, accuracyM: 12 })
  })

  it('treats an old fix as no fix', async () => {
    gpsd = new FakeGpsd()
    await gpsd.listen()
    src = new GpsdSource('127.0.0.1', gpsd.port, 10_000)
    src.start()
    await until(() => gpsd!.watches.length > 0)
    gpsd.send({
      class: 'TPV',
      mode: 3,
      time: new Date(Date.now() - 60_000).toISOString(),
      lat: 1,
      lon: 2,
      eph: 3,
    })
    await until(() => src!.status().lastFix !== null)
    expect(src.current(Date.now())).toBeUndefined()
    expect(src.status().problem).toMatch(/stale/)
  })

  it('keeps retrying while gpsd is down and connects when it comes up', async () => {
    const probe = new FakeGpsd()
    await probe.listen()
    const port = probe.port
    await probe.close()
    src = new GpsdSource('127.0.0.1', port, 30_000, undefined, { initialMs: 50, maxMs: 100 })
    src.start()
    await until(() => /ECONNREFUSED/.test(src!.status().problem ?? ''))
    gpsd = new FakeGpsd()
    await gpsd.listen(port)
    await until(() => gpsd!.watches.length > 0, 3000)
    gpsd.send({ class: 'TPV', mode: 2, time: new Date().toISOString(), lat: 10, lon: 20, eph: 7 })
    await until(() => src!.current(Date.now()) !== undefined)
  })
})
