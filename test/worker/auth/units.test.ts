/** Small pieces of access control: the role order, token extraction, the bounded cache. */
import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../../worker/auth/bounded-cache.ts'
import { readAccessToken } from '../../../worker/auth/read-access-token.ts'
import { isRole, satisfiesRole } from '../../../worker/auth/roles.ts'

describe('satisfiesRole', () => {
  it('orders operator > auditor > viewer', () => {
    expect(satisfiesRole(['operator'], ['viewer'])).toBe(true)
    expect(satisfiesRole(['operator'], ['auditor'])).toBe(true)
    expect(satisfiesRole(['auditor'], ['viewer'])).toBe(true)
    expect(satisfiesRole(['auditor'], ['operator'])).toBe(false)
    expect(satisfiesRole(['viewer'], ['auditor'])).toBe(false)
  })
  it('accepts any of several roles, and nothing when either side is empty', () => {
    expect(satisfiesRole(['auditor'], ['operator', 'auditor'])).toBe(true)
    expect(satisfiesRole([], ['viewer'])).toBe(false)
    expect(satisfiesRole(['operator'], [])).toBe(false)
  })
  it('knows exactly three role names', () => {
    expect(['operator', 'auditor', 'viewer'].every(isRole)).toBe(true)
    expect(['admin', 'Operator', 'toString', '__proto__', 1, null].some(isRole)).toBe(false)
  })
})

describe('readAccessToken', () => {
  const h = (init: Record<string, string>) => new Headers(init)
  it('reads a Bearer token, scheme case-insensitively', () => {
    expect(readAccessToken(h({ authorization: 'Bearer abc.def.ghi' }))).toBe('abc.def.ghi')
    expect(readAccessToken(h({ authorization: 'bearer abc' }))).toBe('abc')
  })
  it('finds nothing in other schemes, an empty Bearer, or two tokens', () => {
    expect(readAccessToken(h({ authorization: 'Basic abc' }))).toBeUndefined()
    expect(readAccessToken(h({ authorization: 'Bearer' }))).toBeUndefined()
    expect(readAccessToken(h({ authorization: 'Bearer a b' }))).toBeUndefined()
    expect(readAccessToken(h({}))).toBeUndefined()
  })
  it('prefers Cf-Access-Jwt-Assertion, ignoring an empty one', () => {
    expect(readAccessToken(h({ 'cf-access-jwt-assertion': 'x', authorization: 'Bearer y' }))).toBe(
      'x',
    )
    expect(readAccessToken(h({ 'cf-access-jwt-assertion': ' ', authorization: 'Bearer y' }))).toBe(
      'y',
    )
  })
})

describe('BoundedCache', () => {
  it('evicts the least recently used entry past its bound', () => {
    const c = new BoundedCache<number>(2)
    c.set('a', 1)
    c.set('b', 2)
    expect(c.get('a')).toBe(1)
    c.set('c', 3)
    expect(c.size).toBe(2)
    expect(c.get('b')).toBeUndefined()
    expect(c.get('a')).toBe(1)
    expect(c.get('c')).toBe(3)
  })
  it('refuses a bound below one', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError)
  })
})
