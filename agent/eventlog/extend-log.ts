/**
 * For swtpm, which has no firmware: extend a real recorded UEFI event log's events into the TPM so
 * its PCRs equal what that log replays to (development, tests and the demo). Every measured event
 * (not EV_NO_ACTION) is extended, in log order, into each bank both the log and `banks` have.
 * Once per TPM boot, like the sensor PCR: if the governed PCRs already equal the log's replay it
 * does nothing; if they are not at their reset value it refuses, since extending again could
 * never reach the log's values. A log with a StartupLocality event cannot be reproduced (PCR 0
 * would have to start at locality 3) and is refused.
 */
import { bytesEqual } from '../../attest/bytes/encoding.ts'
import { parseEventLog } from '../../attest/eventlog/parse-event-log.ts'
import { replayEventLog } from '../../attest/eventlog/replay.ts'
import { EV } from '../../attest/eventlog/event-types.ts'
import { AegisError } from '../../attest/errors.ts'
import type { HashAlg } from '../../attest/tpm/types.ts'
import { readPcrs } from '../tpm/quote.ts'
import type { Tpm } from '../tpm/tpm.ts'

export async function extendEventLog(
  tpm: Tpm,
  bytes: Uint8Array,
  banks: HashAlg[] = ['sha256'],
): Promise<{ extended: number; already: boolean }> {
  const log = parseEventLog(bytes)
  if (log.startupLocality !== undefined) {
    throw new AegisError(
      'ERR_USAGE',
      'this log starts PCR 0 at locality 3 (StartupLocality): a software TPM cannot reproduce it',
    )
  }
  const use = banks.filter((b) => log.banks.includes(b))
  if (use.length === 0)
    throw new AegisError('ERR_USAGE', `the log has none of the banks ${banks.join(', ')}`)
  const replayed = replayEventLog(log)
  const pcrs = [
    ...new Set(log.events.filter((e) => e.type !== EV.NO_ACTION).map((e) => e.pcr)),
  ].sort((a, b) => a - b)
  const selection = use.map((hashAlg) => ({ hashAlg, pcrs }))
  const now = await readPcrs(tpm, selection)
  const matches = use.every((b) => pcrs.every((i) => bytesEqual(now[b]![i]!, replayed[b]![i]!)))
  if (matches) return { extended: 0, already: true }
  if (!use.every((b) => pcrs.every((i) => now[b]![i]!.every((x) => x === 0)))) {
    throw new AegisError(
      'ERR_CONFIG',
      'the PCRs the log extends are neither at reset nor at the log’s values: restart the TPM first',
    )
  }
  let extended = 0
  for (const ev of log.events) {
    if (ev.type === EV.NO_ACTION) continue
    await tpm.pcrExtend(
      ev.pcr,
      use.map((hashAlg) => ({ hashAlg, digest: ev.digests[hashAlg]! })),
    )
    extended++
  }
  return { extended, already: false }
}
