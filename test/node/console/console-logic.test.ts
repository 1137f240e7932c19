/**
 * The console's other pure parts: role-aware navigation and hash routes (session/nav.ts), chart
 * columns from aggregate points (metrics/series.ts), and trust roots from PEM text
 * (provenance/trust.ts) with the shared tpm2-tools manufacturer chain.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { autoStep, toColumns } from '../../../console/src/metrics/series.ts'
import { trustFromPem } from '../../../console/src/provenance/trust.ts'
import {
  hashFor,
  highestRole,
  mayUse,
  parseHash,
  visibleViews,
} from '../../../console/src/session/nav.ts'
import { code } from '../../helpers/error-code.ts'

const shared = process.env.AEGIS_SHARED ?? path.resolve(import.meta.dirname, '../../../../shared')
const pem = (f: string) => readFileSync(path.join(shared, 'vectors/tpm2-tools', f), 'utf8')

describe('navigation by role', () => {
  it('shows each role its views, operator > auditor > viewer', () => {
    expect(visibleViews(['viewer'])).toEqual(['fleet', 'metrics'])
    expect(visibleViews(['auditor'])).toEqual(['fleet', 'metrics', 'decisions', 'provenance'])
    expect(visibleViews(['operator'])).toEqual([
      'fleet',
      'metrics',
      'decisions',
      'provenance',
      'policy',
    ])
    expect(visibleViews(['viewer', 'operator'])).toHaveLength(5)
    expect(visibleViews([])).toEqual([])
    expect(visibleViews(['admin'])).toEqual([])
    expect(highestRole(['viewer', 'auditor'])).toBe('auditor')
    expect(mayUse(['auditor'], 'operator')).toBe(false)
  })

  it('parses and builds hash routes; unknown views fall back to the fleet', () => {
    const id = 'ab'.repeat(32)
    expect(parseHash(`#/provenance/${id}`)).toMatchObject({ view: 'provenance', rest: [id] })
    const r = parseHash('#/decisions?agent=x&code=ERR_GEO_OUTSIDE')
    expect([r.view, r.params.get('agent'), r.params.get('code')]).toEqual([
      'decisions',
      'x',
      'ERR_GEO_OUTSIDE',
    ])
    expect(parseHash('#/nope/1')).toMatchObject({ view: 'fleet', rest: [] })
    expect(parseHash('')).toMatchObject({ view: 'fleet' })
    expect(hashFor('decisions', [], { agent: 'a b', code: undefined })).toBe(
      '#/decisions?agent=a+b',
    )
    expect(parseHash(hashFor('provenance', ['x/y'])).rest).toEqual(['x/y'])
  })
})

describe('chart columns', () => {
  const p = (
    t: string,
    agentId: string,
    zone: string | null,
    count: number,
    sum: number,
    min: number,
    max: number,
  ) => ({ t, agentId, zone, count, sum, min, max, avg: sum / count })

  it('one column per agent, gaps as null, exact statistics', () => {
    const pts = [
      p('2026-01-01T00:00:00Z', 'a', 'z1', 2, 10, 4, 6),
      p('2026-01-01T00:01:00Z', 'a', 'z1', 1, 3, 3, 3),
      p('2026-01-01T00:01:00Z', 'b', 'z1', 1, 7, 7, 7),
    ]
    const c = toColumns(pts, 'agent', 'avg')
    expect(c.xs).toEqual([1767225600, 1767225660])
    expect(c.groups).toEqual(['a', 'b'])
    expect(c.ys).toEqual([
      [5, 3],
      [null, 7],
    ])
    expect(toColumns(pts, 'agent', 'max').ys[0]).toEqual([6, 3])
  })

  it('a zone combines its agents as Σsum/Σcount, not a mean of means', () => {
    const pts = [
      p('2026-01-01T00:00:00Z', 'a', 'z', 3, 3, 1, 1),
      p('2026-01-01T00:00:00Z', 'b', 'z', 1, 9, 9, 9),
      p('2026-01-01T00:00:00Z', 'c', null, 1, 1, 1, 1),
    ]
    const c = toColumns(pts, 'zone', 'avg')
    expect(c.groups).toEqual(['(no zone)', 'z'])
    expect(c.ys[1]).toEqual([3]) // (3 + 9) / 4, where a mean of means would give 5
    expect(toColumns(pts, 'zone', 'count').ys[1]).toEqual([4])
    expect(toColumns(pts, 'zone', 'min').ys[1]).toEqual([1])
  })

  it('picks a whole-minute step that keeps the bucket count bounded', () => {
    expect(autoStep(0, 3600_000)).toBe('1m')
    expect(autoStep(0, 24 * 3600_000)).toBe('15m')
    expect(autoStep(0, 30 * 86400_000)).toBe('6h')
    expect(autoStep(0, 10 * 365 * 86400_000)).toBe('7d')
  })
})

describe('trust roots from PEM', () => {
  it('splits self-issued roots from intermediates, across pasted texts', () => {
    const t = trustFromPem([
      pem('manufacturer-intermediate.pem') + '\n' + pem('manufacturer-root.pem'),
    ])
    expect(t.roots).toHaveLength(1)
    expect(t.intermediates).toHaveLength(1)
    expect(t.roots[0]!.subject).toBe(t.roots[0]!.issuer)
    expect(t.intermediates[0]!.issuer).toBe(t.roots[0]!.subject)
  })

  it('refuses text without certificates, or without a root', () => {
    expect(code(() => trustFromPem(['', '  ']))).toBe('ERR_TRUST_ROOTS')
    expect(code(() => trustFromPem(['hello']))).toBe('ERR_TRUST_ROOTS')
    expect(code(() => trustFromPem([pem('manufacturer-intermediate.pem')]))).toBe('ERR_TRUST_ROOTS')
  })
})
