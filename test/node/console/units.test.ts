/** Metric values by unit in the console (console/src/metrics/units.ts). */
import { describe, expect, it } from 'vitest'
import { formatValue, unitLabel } from '../../../console/src/metrics/units.ts'

describe('metric units', () => {
  it('bytes in IEC units', () => {
    expect(formatValue(512, 'By')).toBe('512 B')
    expect(formatValue(1536, 'By')).toBe('1.50 KiB')
    expect(formatValue(8 * 1024 ** 3, 'By')).toBe('8.00 GiB')
    expect(formatValue(300 * 1024 ** 2, 'By')).toBe('300 MiB')
    expect(formatValue(12.5 * 1024 ** 4, 'By')).toBe('12.5 TiB')
  })
  it('percentages, durations and the rest', () => {
    expect(formatValue(12.34, '%')).toBe('12 %')
    expect(formatValue(3.21, '%')).toBe('3.2 %')
    expect(formatValue(45, 's')).toBe('45 s')
    expect(formatValue(5400, 's')).toBe('90 min')
    expect(formatValue(3 * 86400, 's')).toBe('3.0 d')
    expect(formatValue(1234567, undefined)).toBe('1.23M')
    expect(formatValue(21.5, 'Cel')).toBe('21.5 Cel')
    expect(formatValue(null, '%')).toBe('—')
  })
  it('axis labels', () => {
    expect(unitLabel('By')).toBe('bytes')
    expect(unitLabel('%')).toBe('%')
    expect(unitLabel(null)).toBe('')
    expect(unitLabel('Cel')).toBe('Cel')
  })
})
