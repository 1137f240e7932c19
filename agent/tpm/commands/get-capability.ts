/**
 * TPM2_GetCapability (TPM 2.0 Part 3 §30.2) for the three capabilities the agent reads: TPM
 * properties (TPM_CAP_TPM_PROPERTIES), handles of one type (TPM_CAP_HANDLES) and the allocated
 * PCR banks (TPM_CAP_PCRS). Each follows `moreData` until the TPM has nothing left to report.
 * Leaves out algorithms, commands, ECC curves and the other capabilities.
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import type { ByteReader } from '../../../attest/bytes/reader.ts'
import { AegisError } from '../../../attest/errors.ts'
import { readTpmlPcrSelection } from '../../../attest/tpm/pcr-selection.ts'
import type { PcrSelection } from '../../../attest/tpm/types.ts'
import { TPM_CAP, TPM_CC } from '../constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'

/** Upper bound on GetCapability rounds, against a TPM that keeps answering moreData. */
const MAX_ROUNDS = 64

async function getCapabilityOnce<T>(
  tpm: TpmExecutor,
  capability: number,
  property: number,
  count: number,
  read: (r: ByteReader) => T,
): Promise<{ more: boolean; data: T }> {
  const res = await tpm.execute({
    code: TPM_CC.GetCapability,
    params: new ByteWriter().u32(capability).u32(property).u32(count).finish(),
  })
  const r = res.params
  const more = r.u8()
  const cap = r.u32()
  if (cap !== capability || more > 1) {
    throw new AegisError(
      'ERR_TPM_MALFORMED',
      `GetCapability: answered capability 0x${cap.toString(16)}`,
    )
  }
  const data = read(r)
  r.end()
  return { more: more === 1, data }
}

/** TPM properties from `first` on (e.g. TPM_PT.NV_BUFFER_MAX), as property -> value. */
export async function getTpmProperties(
  tpm: TpmExecutor,
  first: number,
  count = 1,
): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  let next = first
  for (let round = 0; round < MAX_ROUNDS && out.size < count; round++) {
    const { more, data } = await getCapabilityOnce(
      tpm,
      TPM_CAP.TPM_PROPERTIES,
      next,
      count - out.size,
      (r) => {
        const n = r.u32()
        const list: [number, number][] = []
        for (let i = 0; i < n; i++) list.push([r.u32(), r.u32()])
        return list
      },
    )
    for (const [p, v] of data) if (p >= next) out.set(p, v)
    if (!more || data.length === 0) break
    next = data[data.length - 1]![0] + 1
  }
  return out
}

/**
 * Every handle of one type: 0x80000000 (transient), 0x81000000 (persistent), 0x01000000 (NV),
 * 0x02000000 (loaded sessions: reported as 0x02.. for HMAC and 0x03.. for policy sessions).
 */
export async function getHandles(tpm: TpmExecutor, firstHandle: number): Promise<number[]> {
  const type = firstHandle >>> 24
  const accept = (h: number) => h >>> 24 === type || (type === 0x02 && h >>> 24 === 0x03)
  const out: number[] = []
  let next = firstHandle >>> 0
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { more, data } = await getCapabilityOnce(tpm, TPM_CAP.HANDLES, next, 256, (r) => {
      const n = r.u32()
      const list: number[] = []
      for (let i = 0; i < n; i++) list.push(r.u32())
      return list
    })
    for (const h of data) if (accept(h)) out.push(h)
    if (!more || data.length === 0) break
    // The property's top byte selects the handle type, so continue within it (a policy
    // session's 0x03 prefix would otherwise switch to saved sessions).
    next = ((type << 24) | ((data[data.length - 1]! & 0xffffff) + 1)) >>> 0
  }
  return out
}

/** The PCR banks and, for each, the PCRs it has (an unallocated bank has an empty list). */
export async function getPcrBanks(tpm: TpmExecutor): Promise<PcrSelection[]> {
  const { data } = await getCapabilityOnce(tpm, TPM_CAP.PCRS, 0, 1, readTpmlPcrSelection)
  return data
}
