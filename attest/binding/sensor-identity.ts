/**
 * Location-sensor identity as measured into a PCR (DESIGN.md "Proof of Geofencing").
 * measurement = SHA-256(UTF-8 "<sensorId>:<firmware>"); the agent extends it once per boot into the
 * sensor PCR from its reset value (all zeros), so the expected PCR value is
 * SHA-256(0^32 || measurement). The shared swtpm vectors extend sha256('gnss:ublox-m8:fw-3.01'),
 * i.e. sensorId 'gnss:ublox-m8' with firmware 'fw-3.01'.
 */
import { sha256 } from '../crypto/hash.ts'
import { concat, utf8 } from '../bytes/encoding.ts'

export interface SensorIdentity {
  id: string
  firmware: string
}

export function sensorMeasurement(s: SensorIdentity): Uint8Array {
  return sha256(utf8(`${s.id}:${s.firmware}`))
}

/** PCR value after one extend of the measurement from reset (SHA-256 bank). */
export function expectedSensorPcr(s: SensorIdentity): Uint8Array {
  return sha256(concat(new Uint8Array(32), sensorMeasurement(s)))
}
