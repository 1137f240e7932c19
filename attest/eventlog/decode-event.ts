/**
 * Typed decoding of the event data a measured-boot policy reads (PFP v1.05 §10.4):
 *  - UEFI_VARIABLE_DATA (§10.4.4.1) for EV_EFI_VARIABLE_DRIVER_CONFIG / _BOOT / _BOOT2 / _AUTHORITY,
 *    with SecureBoot's one byte and the EFI_SIGNATURE_LISTs of PK, KEK, db, dbx (UEFI 2.10 §32.4.1);
 *  - UEFI_IMAGE_LOAD_EVENT (§10.4.4.3) for EV_EFI_BOOT_SERVICES_APPLICATION / _DRIVER;
 *  - text for EV_S_CRTM_VERSION (UTF-16LE), EV_EFI_ACTION, EV_IPL (grub / systemd-boot strings),
 *    EV_POST_CODE, EV_SEPARATOR (its 4-byte value).
 * Other types decode to `{kind: 'opaque'}`. Malformed data of a decoded type is
 * ERR_EVENTLOG_EVENT_DATA naming the event. Leaves out device paths (kept as bytes).
 */
import { toHex } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import { EV } from './event-types.ts'
import { formatGuid } from './guid.ts'
import { ByteReader } from '../bytes/reader.ts'
import { parseSignatureLists, type EfiSignatureList } from './efi-signature-list.ts'
import type { LogEvent } from './types.ts'

export type DecodedEvent =
  | {
      kind: 'variable'
      guid: string
      name: string
      data: Uint8Array
      secureBoot?: boolean
      lists?: EfiSignatureList[]
    }
  | { kind: 'image'; location: number; length: number; devicePath: Uint8Array; trailing: number }
  | { kind: 'text'; text: string }
  | { kind: 'separator'; value: number }
  | { kind: 'opaque' }

const SIGNATURE_DB_VARS = new Set(['PK', 'KEK', 'db', 'dbx', 'dbt', 'dbr', 'MokList', 'MokListX'])
/** UEFI caps variable names far lower in practice; 1024 UTF-16 units bounds the decode. */
const MAX_NAME_CHARS = 1024

export function decodeEvent(ev: LogEvent): DecodedEvent {
  try {
    return decodeByType(ev)
  } catch (cause) {
    const why = cause instanceof AegisError ? cause.message : String(cause)
    throw new AegisError(
      'ERR_EVENTLOG_EVENT_DATA',
      `event ${ev.index} (${ev.typeName}, PCR ${ev.pcr}): ${why}`,
      {
        cause,
        detail: { index: ev.index, eventType: ev.typeName, pcr: ev.pcr },
      },
    )
  }
}

function decodeByType(ev: LogEvent): DecodedEvent {
  switch (ev.type) {
    case EV.EFI_VARIABLE_DRIVER_CONFIG:
    case EV.EFI_VARIABLE_BOOT:
    case EV.EFI_VARIABLE_BOOT2:
    case EV.EFI_VARIABLE_AUTHORITY:
      return decodeVariable(ev)
    case EV.EFI_BOOT_SERVICES_APPLICATION:
    case EV.EFI_BOOT_SERVICES_DRIVER:
    case EV.EFI_RUNTIME_SERVICES_DRIVER:
      return decodeImageLoad(ev.data)
    case EV.S_CRTM_VERSION:
      return { kind: 'text', text: utf16OrHex(ev.data) }
    case EV.EFI_ACTION:
    case EV.ACTION:
    case EV.POST_CODE:
    case EV.IPL:
      return { kind: 'text', text: ev.type === EV.IPL ? iplText(ev.data) : latin1(ev.data) }
    case EV.SEPARATOR:
      return { kind: 'separator', value: separatorValue(ev.data) }
    default:
      return { kind: 'opaque' }
  }
}

function decodeVariable(ev: LogEvent): DecodedEvent {
  const r = new ByteReader(ev.data, 'UEFI_VARIABLE_DATA', {
    code: 'ERR_EVENTLOG_EVENT_DATA',
    littleEndian: true,
  })
  const guid = formatGuid(r.bytes(16))
  const nameChars = r.u64Safe()
  const dataLen = r.u64Safe()
  if (nameChars > MAX_NAME_CHARS)
    throw new AegisError('ERR_EVENTLOG_EVENT_DATA', `variable name of ${nameChars} characters`)
  const name = utf16(r.bytes(nameChars * 2))
  const data = r.bytes(dataLen)
  if (r.remaining !== 0)
    throw new AegisError('ERR_EVENTLOG_EVENT_DATA', `${r.remaining} bytes after the variable data`)
  const out: DecodedEvent = { kind: 'variable', guid, name, data }
  if (ev.type === EV.EFI_VARIABLE_DRIVER_CONFIG && name === 'SecureBoot') {
    // PFP §10.4.4.1: one byte, 1 = on. Some firmware logs an empty SecureBoot when it is off.
    if (data.length > 1)
      throw new AegisError('ERR_EVENTLOG_EVENT_DATA', `SecureBoot has ${data.length} bytes`)
    out.secureBoot = data.length === 1 && data[0] === 1
  } else if (ev.type === EV.EFI_VARIABLE_DRIVER_CONFIG && SIGNATURE_DB_VARS.has(name)) {
    out.lists = parseSignatureLists(data)
  }
  return out
}

function decodeImageLoad(d: Uint8Array): DecodedEvent {
  const r = new ByteReader(d, 'UEFI_IMAGE_LOAD_EVENT', {
    code: 'ERR_EVENTLOG_EVENT_DATA',
    littleEndian: true,
  })
  const location = r.u64Safe()
  const length = r.u64Safe()
  r.u64Safe() // ImageLinkTimeAddress
  const devicePath = r.bytes(r.u64Safe())
  // shim and grub's loader log 8 bytes past the device path they declare; the image digest, not
  // this data, is what the event measures, so the excess is counted rather than refused.
  return { kind: 'image', location, length, devicePath, trailing: r.remaining }
}

function separatorValue(d: Uint8Array): number {
  if (d.length !== 4)
    throw new AegisError('ERR_EVENTLOG_EVENT_DATA', `separator of ${d.length} bytes, not 4`)
  return (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0
}

function utf16(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i]! | (b[i + 1]! << 8))
  return s.replace(/\0+$/, '')
}

function latin1(b: Uint8Array): string {
  let s = ''
  for (const c of b) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c === 0 ? '' : '.'
  return s
}

/** EV_S_CRTM_VERSION is a UTF-16LE string on most firmware, raw bytes on some: hex those. */
function utf16OrHex(b: Uint8Array): string {
  if (b.length % 2 === 0 && b.length > 0) {
    const s = utf16(b)
    if (s.length > 0 && /^[\x20-\x7e]*$/.test(s)) return s
  }
  return toHex(b)
}

/** grub measures NUL-terminated ASCII; systemd-boot measures UTF-16LE (every odd byte zero). */
function iplText(b: Uint8Array): string {
  const wide = b.length >= 4 && b[1] === 0 && b[3] === 0
  return wide ? utf16(b) : latin1(b)
}
