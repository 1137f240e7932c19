/**
 * Parse a TPM transport spec and open it:
 *   `swtpm:host=H,port=P`  swtpm's TCP data port (defaults as tpm2-tss: host=localhost, port=2321)
 *   `mssim:host=H,port=P`  the same: swtpm speaks the Microsoft simulator protocol, and tpm2-tss
 *                          names that TCTI mssim (TPM2TOOLS_TCTI values work as they are)
 *   `device:/dev/tpmrm0`   a Linux TPM character device (`device:` alone means /dev/tpmrm0)
 * The grammar mirrors tpm2-tss TCTI strings (`swtpm:host=...,port=...`, `device:/dev/...`) so the
 * same value works for tpm2-tools. Anything else is ERR_CONFIG; opening fails with
 * ERR_TPM_TRANSPORT (detail.errno carries ENOENT, ECONNREFUSED, ...).
 * Leaves out the other TCTIs (tabrmd, libtpms, cmd).
 */
import { AegisError } from '../../../attest/errors.ts'
import { DeviceTransport } from './device.ts'
import { SwtpmTcpTransport } from './swtpm-tcp.ts'
import type { TpmTransport, TransportOptions } from './transport.ts'

export type TransportSpec =
  { kind: 'swtpm'; host: string; port: number } | { kind: 'device'; path: string }

export function parseTransportSpec(spec: string): TransportSpec {
  const bad = (why: string) => new AegisError('ERR_CONFIG', `bad TPM spec '${spec}': ${why}`)
  const colon = spec.indexOf(':')
  const kind = colon < 0 ? spec : spec.slice(0, colon)
  const rest = colon < 0 ? '' : spec.slice(colon + 1)
  if (kind === 'device') {
    const path = rest === '' ? '/dev/tpmrm0' : rest
    if (!path.startsWith('/') || /[\0,\s]/.test(path)) throw bad('device path must be absolute')
    return { kind: 'device', path }
  }
  if (kind === 'swtpm' || kind === 'mssim') {
    let host = 'localhost'
    let port = 2321
    const seen = new Set<string>()
    for (const kv of rest === '' ? [] : rest.split(',')) {
      const eq = kv.indexOf('=')
      const k = eq < 0 ? kv : kv.slice(0, eq)
      const v = eq < 0 ? '' : kv.slice(eq + 1)
      if (seen.has(k)) throw bad(`${k} given twice`)
      seen.add(k)
      if (k === 'host') {
        if (!/^[A-Za-z0-9.\-:[\]]+$/.test(v)) throw bad('host must be a hostname or IP address')
        host = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v
      } else if (k === 'port') {
        if (!/^[0-9]{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
          throw bad('port must be 1..65535')
        }
        port = Number(v)
      } else {
        throw bad(`unknown key '${k}' (host, port)`)
      }
    }
    return { kind: 'swtpm', host, port }
  }
  throw bad("expected 'swtpm:host=H,port=P', 'mssim:host=H,port=P' or 'device:/dev/tpmrm0'")
}

/** Open the transport a spec names; the connection/device is opened now, not at first use. */
export async function openTransport(
  spec: string,
  opts: TransportOptions = {},
): Promise<TpmTransport> {
  const s = parseTransportSpec(spec)
  if (s.kind === 'device') return DeviceTransport.open(s.path, opts)
  const t = new SwtpmTcpTransport(s.host, s.port, opts)
  await t.connect()
  return t
}
