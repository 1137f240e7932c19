// docs/errors.md must list exactly the codes of attest/errors.ts, each with its HTTP status.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERROR_STATUS } from '../../attest/errors.ts'

describe('docs/errors.md', () => {
  it('documents every error code with its status, and no others', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
    const rows = [...doc.matchAll(/^\| `(ERR_[A-Z0-9_]+)` +\| (\d{3}) +\|/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ])
    expect(Object.fromEntries(rows)).toEqual(ERROR_STATUS)
    expect(rows).toHaveLength(Object.keys(ERROR_STATUS).length)
  })
})
