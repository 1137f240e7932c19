/**
 * Minimal strict flag parser for the aegis CLI: `--name value`, `--name=value`, boolean flags,
 * repeated flags collected into arrays, and list flags that also take every following argument up
 * to the next `--flag` (`--roots a.pem b.pem DIR`; positional arguments go before them).
 * Unknown flags and missing values are usage errors.
 */
import { AegisError } from '../../attest/errors.ts'

export interface FlagSpec {
  /**
   * string: takes a value; boolean: a switch; multi: a value that may repeat; list: like multi,
   * and the arguments after the value up to the next `--flag` are values too.
   */
  [name: string]: 'string' | 'boolean' | 'multi' | 'list'
}

export type ParsedFlags<S extends FlagSpec> = {
  [K in keyof S]?: S[K] extends 'boolean'
    ? boolean
    : S[K] extends 'multi' | 'list'
      ? string[]
      : string
} & { _: string[] }

export function parseFlags<S extends FlagSpec>(argv: string[], spec: S): ParsedFlags<S> {
  const out: Record<string, unknown> = { _: [] as string[] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith('--')) {
      ;(out._ as string[]).push(a)
      continue
    }
    const eq = a.indexOf('=')
    const name = a.slice(2, eq < 0 ? undefined : eq)
    const kind = spec[name]
    if (!kind) throw new AegisError('ERR_USAGE', `unknown option --${name}`)
    if (kind === 'boolean') {
      if (eq >= 0) throw new AegisError('ERR_USAGE', `--${name} takes no value`)
      out[name] = true
      continue
    }
    let v: string | undefined
    if (eq >= 0) v = a.slice(eq + 1)
    else {
      v = argv[++i]
      if (v === undefined || v.startsWith('--'))
        throw new AegisError('ERR_USAGE', `--${name} needs a value`)
    }
    if (kind === 'multi' || kind === 'list') {
      const list = (out[name] ??= []) as string[]
      list.push(v)
      while (kind === 'list' && eq < 0 && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
        list.push(argv[++i]!)
      }
    } else {
      if (name in out) throw new AegisError('ERR_USAGE', `--${name} given twice`)
      out[name] = v
    }
  }
  return out as ParsedFlags<S>
}

export function required<T>(v: T | undefined, flag: string): T {
  if (v === undefined) throw new AegisError('ERR_USAGE', `--${flag} is required`)
  return v
}
