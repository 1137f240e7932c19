/**
 * Typed views of a parsed TCG PC Client PFP event log (PFP v1.05 §10) and its decoded events.
 * `raw` fields are subarrays of the input: the parser never copies event data.
 */
import type { HashAlg } from '../tpm/types.ts'

export type EventLogFormat = 'sha1' | 'crypto-agile'

/** One algorithm the Spec ID Event03 declares (PFP §10.4.5.1 TCG_EfiSpecIdEventAlgorithmSize). */
export interface DeclaredAlgorithm {
  algId: number
  digestSize: number
  /** The hash name when Aegis can replay this bank; undefined for e.g. SM3 (parsed, not replayed). */
  hash: HashAlg | undefined
}

export interface SpecIdEvent {
  platformClass: number
  specVersion: string
  uintnSize: number
  algorithms: DeclaredAlgorithm[]
}

export interface LogEvent {
  /** 0-based position in the log; the Spec ID event of a crypto-agile log is index 0. */
  index: number
  pcr: number
  type: number
  typeName: string
  /** Digest per replayable bank; a bank the log declares but Aegis cannot hash is left out. */
  digests: Partial<Record<HashAlg, Uint8Array>>
  data: Uint8Array
}

export interface EventLog {
  format: EventLogFormat
  specId: SpecIdEvent | undefined
  /** From the EV_NO_ACTION StartupLocality event (PFP §10.4.5.3); PCR 0 starts at this value. */
  startupLocality: number | undefined
  /** The banks this log can be replayed into, in declaration order. */
  banks: HashAlg[]
  events: LogEvent[]
}

/** PCR index -> value for each replayed bank, like attest/tpm PcrValues. */
export type ReplayedPcrs = Partial<Record<HashAlg, Record<number, Uint8Array>>>
