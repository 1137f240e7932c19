/**
 * TPM transports: spec parsing, the swtpm TCP transport's framing, timeouts, reconnects and
 * one-command-at-a-time ordering, and the device transport's open errors.
 * Framing edge cases (a response split across TCP segments, a stalled or hostile peer) cannot be
 * provoked from a real swtpm, so those use a small local TCP server that answers TPM-shaped
 * frames; the ordering test also runs against a real swtpm.
 * Limitation: there is no kernel TPM here (/dev/tpmrm0 is absent), so the device transport is
 * tested only for openTransport's parsing and its ENOENT/EISDIR errors, not for a real exchange.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { Tpm } from '../../../agent/tpm/tpm.ts'
import { openTransport, parseTransportSpec } from '../../../agent/tpm/transport/open-transport.ts'
import { SwtpmTcpTransport } from '../../../agent/tpm/transport/swtpm-tcp.ts'
import { startSwtpm, type Swtpm } from '../helpers/swtpm.ts'

async function codeOf(
  p: Promise<unknown> | (() => unknown),
): Promise<{ code: string; detail: unknown }> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    expect(e).toBeInstanceOf(AegisError)
    return { code: (e as AegisError).code, detail: (e as AegisError).detail }
  }
  throw new Error('expected an AegisError')
}

/** A 10-byte command whose code field carries `tag`, so responses can be matched to commands. */
function cmd(tag: number): Uint8Array {
  return new ByteWriter().u16(0x8001).u32(10).u32(tag).finish()
}
/** A response of `len` bytes whose last 4 bytes echo the command's tag. */
function resp(tag: number, len = 14): Buffer {
  const b = Buffer.alloc(len)
  b.writeUInt16BE(0x8001, 0)
  b.writeUInt32BE(len, 2)
  b.writeUInt32BE(tag, len - 4)
  return b
}

type Handler = (sock: Socket, command: Buffer) => void

async function fakeServer(
  handler: Handler,
): Promise<{ server: Server; port: number; conns: () => number }> {
  let conns = 0
  const server = createServer((sock) => {
    conns++
    let buf = Buffer.alloc(0)
    sock.on('error', () => undefined)
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      while (buf.length >= 10 && buf.length >= buf.readUInt32BE(2)) {
        const n = buf.readUInt32BE(2)
        handler(sock, buf.subarray(0, n))
        buf = buf.subarray(n)
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as { port: number }).port, conns: () => conns }
}

describe('parseTransportSpec', () => {
  it('parses swtpm and device specs, with tpm2-tss defaults', () => {
    expect(parseTransportSpec('swtpm:host=127.0.0.1,port=2321')).toEqual({
      kind: 'swtpm',
      host: '127.0.0.1',
      port: 2321,
    })
    expect(parseTransportSpec('swtpm:port=5000')).toEqual({
      kind: 'swtpm',
      host: 'localhost',
      port: 5000,
    })
    expect(parseTransportSpec('swtpm:')).toEqual({ kind: 'swtpm', host: 'localhost', port: 2321 })
    expect(parseTransportSpec('swtpm:host=[::1],port=1')).toEqual({
      kind: 'swtpm',
      host: '::1',
      port: 1,
    })
    expect(parseTransportSpec('device:/dev/tpmrm0')).toEqual({
      kind: 'device',
      path: '/dev/tpmrm0',
    })
    expect(parseTransportSpec('device:/dev/tpm0')).toEqual({ kind: 'device', path: '/dev/tpm0' })
    expect(parseTransportSpec('device:')).toEqual({ kind: 'device', path: '/dev/tpmrm0' })
    // mssim is the TCTI name tpm2-tss gives swtpm's (Microsoft simulator) protocol
    expect(parseTransportSpec('mssim:host=a,port=1')).toEqual({ kind: 'swtpm', host: 'a', port: 1 })
  })

  it('rejects anything else with ERR_CONFIG', async () => {
    for (const bad of [
      '',
      'tabrmd:bus_type=session',
      'swtpm:host=a,port=0',
      'swtpm:host=a,port=65536',
      'swtpm:host=a,port=12x',
      'swtpm:host=a,port=',
      'swtpm:host=a,host=b',
      'swtpm:host=a;b',
      'swtpm:hostname=a',
      'swtpm:host=a,port=1,',
      'device:dev/tpm0',
      'device:/dev/tpm 0',
      '/dev/tpmrm0',
    ]) {
      expect((await codeOf(() => parseTransportSpec(bad))).code, bad).toBe('ERR_CONFIG')
      expect((await codeOf(openTransport(bad))).code, bad).toBe('ERR_CONFIG')
    }
  })
})

describe('device transport', () => {
  it('reports a missing device as ERR_TPM_TRANSPORT with errno ENOENT', async () => {
    const e = await codeOf(openTransport('device:/dev/aegis-no-such-tpm'))
    expect(e.code).toBe('ERR_TPM_TRANSPORT')
    expect(e.detail).toMatchObject({ errno: 'ENOENT', path: '/dev/aegis-no-such-tpm' })
  })
  it('reports a path that is not a device file as ERR_TPM_TRANSPORT', async () => {
    const e = await codeOf(openTransport('device:/'))
    expect(e.code).toBe('ERR_TPM_TRANSPORT')
    expect(e.detail).toMatchObject({ errno: 'EISDIR' })
  })
})

describe('swtpm TCP transport (local frame server)', () => {
  it('fails to connect with ERR_TPM_TRANSPORT (ECONNREFUSED)', async () => {
    const { server, port } = await fakeServer(() => undefined)
    await new Promise((r) => server.close(r))
    const e = await codeOf(openTransport(`swtpm:host=127.0.0.1,port=${port}`))
    expect(e.code).toBe('ERR_TPM_TRANSPORT')
    expect(e.detail).toMatchObject({ errno: 'ECONNREFUSED', port })
  })

  it('reassembles a response split across segments by its size field', async () => {
    const { server, port } = await fakeServer((sock, c) => {
      const r = resp(c.readUInt32BE(6), 300)
      sock.write(r.subarray(0, 3))
      setTimeout(() => sock.write(r.subarray(3, 150)), 5)
      setTimeout(() => sock.write(r.subarray(150)), 10)
    })
    const t = await openTransport(`swtpm:host=127.0.0.1,port=${port}`)
    try {
      const out = await t.send(cmd(0xabc))
      expect(out.length).toBe(300)
      expect(Buffer.from(out).readUInt32BE(296)).toBe(0xabc)
    } finally {
      await t.close()
      server.close()
    }
  })

  it('keeps one connection and keeps concurrent commands in order, one in flight', async () => {
    let inFlight = 0
    let maxInFlight = 0
    const { server, port, conns } = await fakeServer((sock, c) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      // Answer late and in reverse-ish timing: a lock-less client would mismatch responses.
      const tag = c.readUInt32BE(6)
      setTimeout(
        () => {
          inFlight--
          sock.write(resp(tag))
        },
        (tag % 3) * 5,
      )
    })
    const t = await openTransport(`swtpm:host=127.0.0.1,port=${port}`)
    try {
      const tags = Array.from({ length: 20 }, (_, i) => i + 1)
      const outs = await Promise.all(tags.map((n) => t.send(cmd(n))))
      expect(outs.map((o) => Buffer.from(o).readUInt32BE(10))).toEqual(tags)
      expect(maxInFlight).toBe(1)
      expect(conns()).toBe(1)
    } finally {
      await t.close()
      server.close()
    }
  })

  it('times out a stalled command, then reconnects for the next one', async () => {
    let first = true
    const { server, port, conns } = await fakeServer((sock, c) => {
      if (first) {
        first = false
        return // never answer
      }
      sock.write(resp(c.readUInt32BE(6)))
    })
    const t = new SwtpmTcpTransport('127.0.0.1', port, { commandTimeoutMs: 200 })
    try {
      await t.connect()
      const e = await codeOf(t.send(cmd(1)))
      expect(e.code).toBe('ERR_TPM_TRANSPORT')
      const out = await t.send(cmd(2))
      expect(Buffer.from(out).readUInt32BE(10)).toBe(2)
      expect(conns()).toBe(2)
    } finally {
      await t.close()
      server.close()
    }
  })

  it('rejects implausible frames and a peer that hangs up mid-response', async () => {
    const { server, port } = await fakeServer((sock, c) => {
      const tag = c.readUInt32BE(6)
      if (tag === 1) sock.write(Buffer.from([0x80, 0x01, 0, 0, 0, 4, 0, 0, 0, 0])) // size < header
      if (tag === 2) sock.write(Buffer.from([0x80, 0x01, 0x7f, 0, 0, 0, 0, 0, 0, 0])) // 2 GiB
      if (tag === 3) sock.end(resp(3).subarray(0, 12)) // truncated, then FIN
      if (tag === 4) sock.write(Buffer.concat([resp(4), Buffer.from([1, 2])])) // trailing bytes
      if (tag === 5) sock.write(resp(5))
    })
    const t = new SwtpmTcpTransport('127.0.0.1', port, { commandTimeoutMs: 2000 })
    try {
      for (const tag of [1, 2, 3]) {
        expect((await codeOf(t.send(cmd(tag)))).code, `tag ${tag}`).toBe('ERR_TPM_TRANSPORT')
      }
      // Bytes beyond the frame: in the same segment they fail this command; arriving later they
      // drop the connection. Either way they must never be read as the next command's response.
      const r4 = await t.send(cmd(4)).then(
        () => 'ok',
        (e: AegisError) => e.code,
      )
      expect(['ok', 'ERR_TPM_TRANSPORT']).toContain(r4)
      const out = await t.send(cmd(5))
      expect(out.length).toBe(14)
      expect(Buffer.from(out).readUInt32BE(10)).toBe(5)
    } finally {
      await t.close()
      server.close()
    }
  })

  it('refuses commands after close()', async () => {
    const { server, port } = await fakeServer((sock, c) => sock.write(resp(c.readUInt32BE(6))))
    const t = await openTransport(`swtpm:host=127.0.0.1,port=${port}`)
    await t.close()
    expect((await codeOf(t.send(cmd(1)))).code).toBe('ERR_TPM_TRANSPORT')
    server.close()
  })
})

describe('swtpm TCP transport (real swtpm)', () => {
  let sw: Swtpm
  beforeAll(async () => {
    sw = await startSwtpm()
  })
  afterAll(async () => sw?.stop())

  it('answers concurrent commands each with its own response', async () => {
    const tpm = await Tpm.open(sw.agentTpm)
    try {
      const [a, b, c, d] = await Promise.all([
        tpm.getHandles(0x81000000),
        tpm.nvBufferMax(),
        tpm.getPcrBanks(),
        tpm.getHandles(0x01000000),
      ])
      expect(a).toEqual(expect.arrayContaining([0x81010001, 0x81010016]))
      expect(b).toBeGreaterThan(0)
      expect(c.find((s) => s.hashAlg === 'sha256')?.pcrs.length).toBe(24)
      expect(d).toEqual(expect.arrayContaining([0x01c00002, 0x01c00016]))
    } finally {
      await tpm.close()
    }
  })
})
