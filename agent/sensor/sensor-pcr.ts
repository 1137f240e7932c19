/**
 * Measure the location sensor into its PCR once per boot (DESIGN.md "Proof of Geofencing"): read
 * the PCR; at its reset value (zeros) extend the sensor measurement; if it already holds the
 * expected value (an agent restart in the same boot) leave it; anything else means another sensor
 * or another measurement was extended this boot, which the collector would reject: say so now.
 */
import { bytesEqual, toHex } from '../../attest/bytes/encoding.ts'
import {
  expectedSensorPcr,
  sensorMeasurement,
  type SensorIdentity,
} from '../../attest/binding/sensor-identity.ts'
import { AegisError } from '../../attest/errors.ts'
import type { Tpm } from '../tpm/tpm.ts'
import { extendPcr, readPcrs } from '../tpm/quote.ts'

export async function ensureSensorMeasured(
  tpm: Tpm,
  sensor: SensorIdentity,
  pcr: number,
): Promise<'extended' | 'already-measured'> {
  const read = async () => (await readPcrs(tpm, [{ hashAlg: 'sha256', pcrs: [pcr] }])).sha256?.[pcr]
  const cur = await read()
  if (!cur) throw new AegisError('ERR_TPM_RESPONSE', `PCR sha256:${pcr} could not be read`)
  const expected = expectedSensorPcr(sensor)
  if (bytesEqual(cur, expected)) return 'already-measured'
  if (!cur.every((b) => b === 0)) {
    throw new AegisError('ERR_CONFIG', `PCR ${pcr} already holds another measurement this boot`, {
      detail: { pcr, value: toHex(cur), expected: toHex(expected) },
    })
  }
  await extendPcr(tpm, pcr, sensorMeasurement(sensor))
  return 'extended'
}
