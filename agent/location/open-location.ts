/**
 * Build the location source a config names (fixed, gpsd or NMEA). The caller starts and stops it.
 */
import type { LocationConfig } from '../config/agent-config.ts'
import { silentLogger, type Logger } from '../run/logger.ts'
import type { LocationSource } from './fix.ts'
import { FixedSource } from './fixed-source.ts'
import { GpsdSource } from './gpsd-source.ts'
import { NmeaSource } from './nmea-source.ts'

export function openLocationSource(c: LocationConfig, log: Logger = silentLogger): LocationSource {
  const maxAgeMs = c.maxFixAgeSeconds * 1000
  switch (c.kind) {
    case 'fixed':
      return new FixedSource({ lat: c.lat, lon: c.lon, accuracyM: c.accuracyM })
    case 'gpsd':
      return new GpsdSource(c.host, c.port, maxAgeMs, log.child({ source: 'gpsd' }))
    case 'nmea':
      return new NmeaSource(c.path, maxAgeMs, log.child({ source: 'nmea' }))
  }
}
