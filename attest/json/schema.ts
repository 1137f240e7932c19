/**
 * Minimal strict validators for request bodies: unknown fields are rejected, types are exact,
 * and every failure is ERR_INPUT_MALFORMED with the JSON path of the offending value in `detail`.
 * Deliberately tiny (no dependency): the API's bodies are small and flat.
 */
import { AegisError } from '../errors.ts'
import { fromB64url, fromHex } from '../bytes/encoding.ts'

export type Validator<T> = (v: unknown, path: string) => T

function fail(path: string, expected: string): never {
  throw new AegisError('ERR_INPUT_MALFORMED', `${path || 'body'}: expected ${expected}`, {
    detail: { path: path || '$', expected },
  })
}

export const str =
  (opts: { min?: number; max?: number; pattern?: RegExp } = {}): Validator<string> =>
  (v, p) => {
    if (typeof v !== 'string') fail(p, 'a string')
    if (v.length < (opts.min ?? 0) || v.length > (opts.max ?? 4096)) {
      fail(p, `a string of ${opts.min ?? 0}..${opts.max ?? 4096} characters`)
    }
    if (opts.pattern && !opts.pattern.test(v)) fail(p, `a string matching ${opts.pattern}`)
    return v
  }

export const num =
  (opts: { min?: number; max?: number; integer?: boolean } = {}): Validator<number> =>
  (v, p) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, 'a finite number')
    if (opts.integer && !Number.isSafeInteger(v)) fail(p, 'an integer')
    if (v < (opts.min ?? -Infinity) || v > (opts.max ?? Infinity)) {
      fail(p, `a number in [${opts.min ?? '-inf'}, ${opts.max ?? 'inf'}]`)
    }
    return v
  }

export const bool = (): Validator<boolean> => (v, p) =>
  typeof v === 'boolean' ? v : fail(p, 'a boolean')

export const literal =
  <T extends string>(...values: T[]): Validator<T> =>
  (v, p) =>
    values.includes(v as T) ? (v as T) : fail(p, `one of ${values.join(', ')}`)

/** base64url-encoded bytes (strict alphabet, no padding), decoded. */
export const b64url =
  (opts: { max?: number; min?: number } = {}): Validator<Uint8Array> =>
  (v, p) => {
    if (typeof v !== 'string') fail(p, 'a base64url string')
    let b: Uint8Array
    try {
      b = fromB64url(v, p)
    } catch (e) {
      throw new AegisError('ERR_INPUT_ENCODING', `${p}: not valid base64url`, {
        cause: e,
        detail: { path: p },
      })
    }
    if (b.length > (opts.max ?? 65536) || b.length < (opts.min ?? 0)) {
      fail(p, `${opts.min ?? 0}..${opts.max ?? 65536} bytes`)
    }
    return b
  }

export const hexBytes =
  (len?: number): Validator<Uint8Array> =>
  (v, p) => {
    if (typeof v !== 'string') fail(p, 'a hex string')
    let b: Uint8Array
    try {
      b = fromHex(v, p)
    } catch (e) {
      throw new AegisError('ERR_INPUT_ENCODING', `${p}: not valid hex`, {
        cause: e,
        detail: { path: p },
      })
    }
    if (len !== undefined && b.length !== len) fail(p, `${len} bytes of hex`)
    return b
  }

export const array =
  <T>(item: Validator<T>, opts: { max?: number; min?: number } = {}): Validator<T[]> =>
  (v, p) => {
    if (!Array.isArray(v)) fail(p, 'an array')
    if (v.length > (opts.max ?? 1000) || v.length < (opts.min ?? 0)) {
      fail(p, `an array of ${opts.min ?? 0}..${opts.max ?? 1000} items`)
    }
    return v.map((x, i) => item(x, `${p}[${i}]`))
  }

/** A JSON object with string keys matching `key`, each value validated by `value`. */
export const record =
  <T>(
    key: RegExp,
    value: Validator<T>,
    opts: { max?: number } = {},
  ): Validator<Record<string, T>> =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object')
    const entries = Object.entries(v)
    if (entries.length > (opts.max ?? 256)) fail(p, `at most ${opts.max ?? 256} entries`)
    const out: Record<string, T> = {}
    for (const [k, x] of entries) {
      if (!key.test(k)) fail(`${p}.${k}`, `a key matching ${key}`)
      out[k] = value(x, `${p}.${k}`)
    }
    return out
  }

type Shape = Record<string, Validator<unknown>>
type Optional<T> = Validator<T | undefined> & { optional: true }
type Out<S extends Shape> = {
  [K in keyof S as S[K] extends Optional<unknown> ? never : K]: ReturnType<S[K]>
} & {
  [K in keyof S as S[K] extends Optional<unknown> ? K : never]?: Exclude<
    ReturnType<S[K]>,
    undefined
  >
}

export const optional = <T>(inner: Validator<T>): Optional<T> => {
  const f = ((v: unknown, p: string) => (v === undefined ? undefined : inner(v, p))) as Optional<T>
  f.optional = true
  return f
}

/** A JSON object with exactly these fields (optional ones may be absent); unknown fields rejected. */
export const object =
  <S extends Shape>(shape: S): Validator<Out<S>> =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object')
    const o = v as Record<string, unknown>
    for (const k of Object.keys(o)) if (!Object.hasOwn(shape, k)) fail(`${p}.${k}`, 'no such field')
    const out: Record<string, unknown> = {}
    for (const [k, val] of Object.entries(shape)) {
      const r = val(o[k], `${p}.${k}`)
      if (r !== undefined) out[k] = r
    }
    return out as Out<S>
  }

/** Any JSON value, size-bounded by its serialisation (for opaque, operator-visible blobs). */
export const anyJson =
  (maxBytes = 4096): Validator<unknown> =>
  (v, p) => {
    if (v === undefined) fail(p, 'a value')
    if (JSON.stringify(v).length > maxBytes) fail(p, `at most ${maxBytes} bytes of JSON`)
    return v
  }

export function validate<T>(v: unknown, validator: Validator<T>): T {
  return validator(v, '$')
}
