/**
 * What a parsed event log says booted, in the terms a policy uses: Secure Boot state, the signature
 * databases (PK, KEK, db, dbx), the authorities that verified each image (EV_EFI_VARIABLE_AUTHORITY),
 * the boot applications and which of them is the kernel, and the firmware version strings.
 * Content is taken only from events whose digest binds it (H(data) == digest in every bank):
 * PFP §10.4.4 requires that for the events read here, and a log whose digest does not bind the
 * decoded content could claim any Secure Boot state while still replaying. Unbound events of these
 * types are listed in `unbound` for the policy to refuse.
 * The kernel: the last EV_EFI_BOOT_SERVICES_APPLICATION in PCR 4 before ExitBootServices when
 * there are two or more (shim -> grub -> kernel, systemd-boot -> kernel); a single application is
 * the boot loader only (e.g. Windows bootmgr), so there is no kernel event.
 */
import { bytesEqual, toHex } from '../bytes/encoding.ts'
import { digest } from '../crypto/hash.ts'
import { decodeEvent, type DecodedEvent } from './decode-event.ts'
import type { EfiSignature } from './efi-signature-list.ts'
import { EV } from './event-types.ts'
import type { HashAlg } from '../tpm/types.ts'
import type { EventLog, LogEvent } from './types.ts'

export interface EventRef {
  index: number
  type: string
  pcr: number
}

export interface BootState {
  /** null when the log has no SecureBoot variable event. */
  secureBoot: boolean | null
  secureBootEvent: EventRef | undefined
  /** PK, KEK, db, dbx (and dbt, MokList... when logged) with the event that measured them. */
  databases: Record<string, { event: EventRef; signatures: EfiSignature[] }>
  authorities: Array<{ event: EventRef; name: string; ref: string }>
  /** Boot applications in log order, digest per bank as hex. */
  bootApps: Array<{ event: EventRef; digests: Record<string, string> }>
  kernel: { event: EventRef; digests: Record<string, string> } | undefined
  firmwareVersions: Array<{ event: EventRef; version: string }>
  /** Events of a type read here whose digest does not bind their data: their content is unknown. */
  unbound: EventRef[]
}

const BOUND_TYPES: ReadonlySet<number> = new Set([
  EV.EFI_VARIABLE_DRIVER_CONFIG,
  EV.EFI_VARIABLE_AUTHORITY,
  EV.S_CRTM_VERSION,
  EV.EFI_ACTION,
])

export function eventRef(ev: LogEvent): EventRef {
  return { index: ev.index, type: ev.typeName, pcr: ev.pcr }
}

/**
 * `banks`: the banks whose digests were checked against a quote (by replay); data is bound when it
 * hashes to the digest in each of them. Default: every bank of the log.
 */
export function bootState(log: EventLog, banks: readonly HashAlg[] = log.banks): BootState {
  const s: BootState = {
    secureBoot: null,
    secureBootEvent: undefined,
    databases: {},
    authorities: [],
    bootApps: [],
    kernel: undefined,
    firmwareVersions: [],
    unbound: [],
  }
  let exited = false
  for (const ev of log.events) {
    if (ev.type === EV.NO_ACTION) continue
    if (BOUND_TYPES.has(ev.type) && !dataIsBound(ev, banks)) {
      s.unbound.push(eventRef(ev))
      continue
    }
    const d = decodeEvent(ev)
    if (ev.type === EV.EFI_ACTION && d.kind === 'text' && d.text.startsWith('Exit Boot Services'))
      exited = true
    if (ev.type === EV.EFI_BOOT_SERVICES_APPLICATION && ev.pcr === 4 && !exited) {
      s.bootApps.push({ event: eventRef(ev), digests: hexDigests(ev) })
    }
    record(s, ev, d)
  }
  const apps = s.bootApps
  s.kernel = apps.length >= 2 ? apps[apps.length - 1] : undefined
  return s
}

function record(s: BootState, ev: LogEvent, d: DecodedEvent): void {
  if (d.kind === 'variable' && ev.type === EV.EFI_VARIABLE_DRIVER_CONFIG) {
    // Firmware measures each variable once per boot; a repeat would let a log restate its state.
    if (d.secureBoot !== undefined && s.secureBootEvent === undefined) {
      s.secureBoot = d.secureBoot
      s.secureBootEvent = eventRef(ev)
    }
    if (d.lists && !s.databases[d.name]) {
      s.databases[d.name] = {
        event: eventRef(ev),
        signatures: d.lists.flatMap((l) => l.signatures),
      }
    }
  } else if (d.kind === 'variable' && ev.type === EV.EFI_VARIABLE_AUTHORITY) {
    s.authorities.push({ event: eventRef(ev), name: d.name, ref: authorityRef(d.data) })
  } else if (d.kind === 'text' && ev.type === EV.S_CRTM_VERSION) {
    s.firmwareVersions.push({ event: eventRef(ev), version: d.text })
  }
}

/**
 * The authority's variable data is an EFI_SIGNATURE_DATA (owner GUID + certificate DER, PFP
 * §10.4.4.2) for db entries; shim logs its own vendor certificate the same way. A DER certificate
 * starts with 0x30 0x82: reference it by the SHA-256 of the DER, like db entries; anything else
 * (SbatLevel strings, a hash entry) by the SHA-256 of the data.
 */
function authorityRef(data: Uint8Array): string {
  const isDer = (o: number) => data.length > o + 2 && data[o] === 0x30 && data[o + 1] === 0x82
  const der = isDer(0) ? data : isDer(16) ? data.subarray(16) : data
  return toHex(digest('sha256', der))
}

export function dataIsBound(ev: LogEvent, banks?: readonly HashAlg[]): boolean {
  const all = Object.entries(ev.digests) as Array<[HashAlg, Uint8Array]>
  const used = banks ? all.filter(([alg]) => banks.includes(alg)) : all
  return used.length > 0 && used.every(([alg, d]) => bytesEqual(digest(alg, ev.data), d))
}

function hexDigests(ev: LogEvent): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [alg, d] of Object.entries(ev.digests)) out[alg] = toHex(d)
  return out
}
