/**
 * Parse one NMEA 0183 sentence (NMEA 0183 v4.11 §5.3: `$ttSSS,f1,...,fn*hh`, checksum = XOR of
 * the characters between `$` and `*`, two hex digits). Only the sentences that carry a fix, its
 * time and its quality are decoded: GGA (fix data), RMC (recommended minimum: validity, date),
 * GSA (DOP and fix mode), GST (pseudorange error statistics) and ZDA (date); any other valid
 * sentence comes back as `other`. Any talker (GP, GN, GL, GA, GB, BD, ...) is accepted.
 * A checksum is required: a position that gates admission must not come from a corrupted line.
 * Noise before the last `$` (some logs and receivers double it) is ignored.
 * Leaves out proprietary sentences ($P...), AIS (!AIVDM) and field semantics beyond the fix.
 */

export interface TimeOfDay {
  /** ms since 00:00 UTC */
  ms: number
}

export interface NmeaDate {
  year: number
  month: number
  day: number
}

export type NmeaSentence =
  | {
      type: 'GGA'
      talker: string
      time: TimeOfDay | undefined
      lat: number | undefined
      lon: number | undefined
      /** 0 invalid, 1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float, 6 dead reckoning, ... */
      quality: number
      satellites: number | undefined
      hdop: number | undefined
    }
  | {
      type: 'RMC'
      talker: string
      time: TimeOfDay | undefined
      date: NmeaDate | undefined
      valid: boolean
      lat: number | undefined
      lon: number | undefined
    }
  | {
      type: 'GSA'
      talker: string
      mode: number
      pdop: number | undefined
      hdop: number | undefined
    }
  | {
      type: 'GST'
      talker: string
      time: TimeOfDay | undefined
      sigmaLat: number | undefined
      sigmaLon: number | undefined
    }
  | { type: 'ZDA'; talker: string; time: TimeOfDay | undefined; date: NmeaDate | undefined }
  | { type: 'other'; talker: string; id: string }

export type NmeaParse =
  | { ok: true; sentence: NmeaSentence }
  | { ok: false; reason: 'not-nmea' | 'no-checksum' | 'checksum' | 'malformed' }

/** NMEA 0183 caps a sentence at 82 characters; allow slack for non-conforming receivers. */
const MAX_LINE = 256

export function parseNmeaLine(input: string): NmeaParse {
  const line = input.replace(/[\r\n]+$/, '')
  const start = line.lastIndexOf('$')
  if (start < 0 || line.length > MAX_LINE) return { ok: false, reason: 'not-nmea' }
  const s = line.slice(start + 1)
  const star = s.lastIndexOf('*')
  if (star < 0) return { ok: false, reason: 'no-checksum' }
  const body = s.slice(0, star)
  const given = s.slice(star + 1)
  if (!/^[0-9A-Fa-f]{2}$/.test(given)) return { ok: false, reason: 'checksum' }
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) return { ok: false, reason: 'malformed' }
    sum ^= c
  }
  if (sum !== parseInt(given, 16)) return { ok: false, reason: 'checksum' }
  const f = body.split(',')
  const addr = f[0]!
  if (!/^[A-Z][A-Z0-9]{4,5}$/.test(addr)) return { ok: false, reason: 'malformed' }
  const talker = addr.slice(0, addr.length - 3)
  const id = addr.slice(-3)
  try {
    switch (id) {
      case 'GGA':
        return ok({
          type: 'GGA',
          talker,
          time: tod(f[1]),
          lat: coord(f[2], f[3], 'NS'),
          lon: coord(f[4], f[5], 'EW'),
          quality: int(f[6]) ?? 0,
          satellites: int(f[7]),
          hdop: dec(f[8]),
        })
      case 'RMC': {
        const status = f[2]
        // NMEA 2.3+ adds a mode indicator (field 12); 'N' (data not valid) overrides status 'A'.
        const mode = f[12]
        return ok({
          type: 'RMC',
          talker,
          time: tod(f[1]),
          date: ddmmyy(f[9]),
          valid: status === 'A' && mode !== 'N',
          lat: coord(f[3], f[4], 'NS'),
          lon: coord(f[5], f[6], 'EW'),
        })
      }
      case 'GSA':
        return ok({ type: 'GSA', talker, mode: int(f[2]) ?? 1, pdop: dec(f[15]), hdop: dec(f[16]) })
      case 'GST':
        return ok({
          type: 'GST',
          talker,
          time: tod(f[1]),
          sigmaLat: dec(f[6]),
          sigmaLon: dec(f[7]),
        })
      case 'ZDA': {
        const d = int(f[2])
        const m = int(f[3])
        const y = int(f[4])
        const date = d && m && y ? checkDate({ year: y, month: m, day: d }) : undefined
        return ok({ type: 'ZDA', talker, time: tod(f[1]), date })
      }
      default:
        return ok({ type: 'other', talker, id })
    }
  } catch {
    return { ok: false, reason: 'malformed' }
  }
}

function ok(sentence: NmeaSentence): NmeaParse {
  return { ok: true, sentence }
}

class Malformed extends Error {}

function dec(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined
  if (!/^-?\d+(\.\d*)?$/.test(v)) throw new Malformed(v)
  return Number(v)
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined
  if (!/^\d+$/.test(v)) throw new Malformed(v)
  return Number(v)
}

/** hhmmss[.sss] -> ms since midnight */
function tod(v: string | undefined): TimeOfDay | undefined {
  if (v === undefined || v === '') return undefined
  const m = /^(\d{2})(\d{2})(\d{2})(\.\d+)?$/.exec(v)
  if (!m) throw new Malformed(v)
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3])]
  // 60 s is a leap second.
  if (h > 23 || mi > 59 || s > 60) throw new Malformed(v)
  return { ms: ((h * 60 + mi) * 60 + s) * 1000 + Math.round(Number(m[4] ?? 0) * 1000) }
}

/** ddmmyy; two-digit years are taken as 20yy (GNSS receivers in service postdate 2000). */
function ddmmyy(v: string | undefined): NmeaDate | undefined {
  if (v === undefined || v === '') return undefined
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(v)
  if (!m) throw new Malformed(v)
  return checkDate({ year: 2000 + Number(m[3]), month: Number(m[2]), day: Number(m[1]) })
}

function checkDate(d: NmeaDate): NmeaDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day))
  if (
    t.getUTCFullYear() !== d.year ||
    t.getUTCMonth() !== d.month - 1 ||
    t.getUTCDate() !== d.day
  ) {
    throw new Malformed('date')
  }
  return d
}

/** (d)ddmm.mmmm + hemisphere -> signed decimal degrees */
function coord(
  v: string | undefined,
  hemi: string | undefined,
  allowed: 'NS' | 'EW',
): number | undefined {
  if (v === undefined || v === '') return undefined
  // The minutes are always the two digits before the point; degrees take whatever precedes.
  const m = /^(\d{1,3})(\d{2}(?:\.\d+)?)$/.exec(v)
  if (!m || hemi === undefined || hemi.length !== 1 || !allowed.includes(hemi))
    throw new Malformed(v)
  const deg = Number(m[1])
  const min = Number(m[2])
  const limit = allowed === 'NS' ? 90 : 180
  if (min >= 60 || deg + min / 60 > limit) throw new Malformed(v)
  const x = deg + min / 60
  return hemi === 'S' || hemi === 'W' ? -x : x
}
