/**
 * The CLI flag parser's list flags (`--roots a.pem b.pem DIR`): values up to the next `--flag`,
 * repeated flags add to the list, `--flag=value` takes exactly one value, and a list flag without
 * a value is a usage error. Plain multi flags keep taking one value each.
 */
import { describe, expect, it } from 'vitest'
import { parseFlags } from '../../agent/cli/args.ts'
import { AegisError } from '../../attest/errors.ts'

const spec = { roots: 'list', intermediates: 'multi', json: 'boolean', at: 'string' } as const

describe('parseFlags list flags', () => {
  it('takes several values after one flag, and more from a repeated flag', () => {
    const f = parseFlags(
      ['FILE', '--roots', 'a.pem', 'b.pem', 'dir', '--json', '--roots', 'c.pem'],
      spec,
    )
    expect(f.roots).toEqual(['a.pem', 'b.pem', 'dir', 'c.pem'])
    expect(f.json).toBe(true)
    expect(f._).toEqual(['FILE'])
  })
  it('--roots=x takes one value; positionals after it stay positional', () => {
    const f = parseFlags(['--roots=a.pem', 'FILE'], spec)
    expect(f.roots).toEqual(['a.pem'])
    expect(f._).toEqual(['FILE'])
  })
  it('a multi flag still takes one value per flag', () => {
    const f = parseFlags(['--intermediates', 'i.pem', 'FILE'], spec)
    expect(f.intermediates).toEqual(['i.pem'])
    expect(f._).toEqual(['FILE'])
  })
  it('a list flag with no value is ERR_USAGE', () => {
    for (const argv of [['--roots'], ['--roots', '--json']]) {
      let code: string | undefined
      try {
        parseFlags(argv, spec)
      } catch (e) {
        code = (e as AegisError).code
      }
      expect(code).toBe('ERR_USAGE')
    }
  })
})
