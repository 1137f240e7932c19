/**
 * Builds crypto-agile event logs for negative and policy tests (PFP §10.2.2 layout): a Spec ID
 * Event03 declaring sha1 + sha256, then TCG_PCR_EVENT2 records. Digests are over the data unless
 * given. Also the UEFI_VARIABLE_DATA and EFI_SIGNATURE_LIST encodings the decoder reads.
 */
import { concat, fromHex } from '../../../attest/bytes/encoding.ts'
import { digest } from '../../../attest/crypto/hash.ts'
import { EV } from '../../../attest/eventlog/event-types.ts'

export const u16 = (n: number) => new Uint8Array([n & 0xff, n >>> 8])
export const u32 = (n: number) =>
  new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24])
export const u64 = (n: number) => concat(u32(n), u32(0))
const ascii = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)))
const utf16 = (s: string) => new Uint8Array([...s].flatMap((c) => [c.charCodeAt(0), 0]))

export interface BuiltEvent {
  pcr: number
  type: number
  data: Uint8Array
  digests?: { sha1?: Uint8Array; sha256?: Uint8Array }
}

export function specIdEvent(): Uint8Array {
  const body = concat(
    ascii('Spec ID Event03\0'),
    u32(0),
    new Uint8Array([0, 2, 0, 2]),
    u32(2),
    u16(4),
    u16(20),
    u16(0xb),
    u16(32),
    new Uint8Array([0]),
  )
  return concat(u32(0), u32(EV.NO_ACTION), new Uint8Array(20), u32(body.length), body)
}

export function agileEvent(e: BuiltEvent): Uint8Array {
  const sha1 = e.digests?.sha1 ?? digest('sha1', e.data)
  const sha256 = e.digests?.sha256 ?? digest('sha256', e.data)
  return concat(
    u32(e.pcr),
    u32(e.type),
    u32(2),
    u16(4),
    sha1,
    u16(0xb),
    sha256,
    u32(e.data.length),
    e.data,
  )
}

export function buildLog(events: BuiltEvent[]): Uint8Array {
  return concat(specIdEvent(), ...events.map(agileEvent))
}

const GLOBAL_VARIABLE = fromHex('61dfe48bca93d211aa0d00e098032b8c')
const SECURITY_DB = fromHex('cbb219d73a3d9645a3bcdad00e67656f')

export function variable(
  name: string,
  data: Uint8Array,
  guid = name === 'db' || name === 'dbx' ? SECURITY_DB : GLOBAL_VARIABLE,
): Uint8Array {
  return concat(guid, u64(name.length), u64(data.length), utf16(name), data)
}

/** One EFI_SIGNATURE_LIST of SHA-256 entries (EFI_CERT_SHA256_GUID). */
export function sha256List(hashes: Uint8Array[]): Uint8Array {
  const type = fromHex('2616c4c14c509240aca941f936934328')
  const owner = new Uint8Array(16)
  return concat(
    type,
    u32(28 + hashes.length * 48),
    u32(0),
    u32(48),
    ...hashes.flatMap((h) => [owner, h]),
  )
}

export function imageLoad(): Uint8Array {
  return concat(u64(0x1000), u64(0x2000), u64(0), u64(4), new Uint8Array([0x7f, 0xff, 0x04, 0x00]))
}

/** A minimal Secure Boot boot: SecureBoot, db, dbx, separators, then boot apps and ExitBootServices. */
export function secureBootLog(opts: {
  secureBoot: boolean
  dbx: Uint8Array[]
  apps: Uint8Array[]
}): Uint8Array {
  const events: BuiltEvent[] = [
    { pcr: 0, type: EV.S_CRTM_VERSION, data: utf16('Test Firmware v2.5\0') },
    {
      pcr: 7,
      type: EV.EFI_VARIABLE_DRIVER_CONFIG,
      data: variable('SecureBoot', new Uint8Array([opts.secureBoot ? 1 : 0])),
    },
    { pcr: 7, type: EV.EFI_VARIABLE_DRIVER_CONFIG, data: variable('dbx', sha256List(opts.dbx)) },
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((pcr) => ({
      pcr,
      type: EV.SEPARATOR,
      data: new Uint8Array(4),
    })),
    ...opts.apps.map((a) => ({
      pcr: 4,
      type: EV.EFI_BOOT_SERVICES_APPLICATION,
      data: imageLoad(),
      digests: { sha1: a.subarray(0, 20), sha256: a },
    })),
    { pcr: 5, type: EV.EFI_ACTION, data: ascii('Exit Boot Services Invocation') },
  ]
  return buildLog(events)
}
