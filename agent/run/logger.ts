/**
 * Structured logs for the long-running agent: one JSON object per line
 * (`{"time","level","msg",...fields}`), written to stderr so journald (or any collector) keeps
 * them and `jq` reads them. Errors are flattened to {code, message} (AegisError detail included,
 * never a stack unless debug). Leaves out rotation and sampling: journald does both.
 */
import { AegisError } from '../../attest/errors.ts'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  child(fields: LogFields): Logger
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export function createLogger(o: {
  level: LogLevel
  write: (line: string) => void
  base?: LogFields
  now?: () => number
}): Logger {
  const base = o.base ?? {}
  const now = o.now ?? Date.now
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (RANK[level] < RANK[o.level]) return
    const rec: LogFields = { time: new Date(now()).toISOString(), level, msg, ...base }
    for (const [k, v] of Object.entries(fields))
      rec[k] = v instanceof Error ? errorFields(v, o.level === 'debug') : v
    o.write(safeStringify(rec) + '\n')
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...o, base: { ...base, ...fields } }),
  }
}

/** A logger that drops everything (library callers that do not log). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
}

export function errorFields(e: unknown, withStack = false): LogFields {
  if (e instanceof AegisError) {
    return {
      code: e.code,
      message: e.message,
      ...(e.detail ? { detail: e.detail } : {}),
      ...(withStack ? { stack: e.stack } : {}),
    }
  }
  if (e instanceof Error)
    return { code: 'ERR_INTERNAL', message: e.message, ...(withStack ? { stack: e.stack } : {}) }
  return { code: 'ERR_INTERNAL', message: String(e) }
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))
  } catch {
    return JSON.stringify({
      time: new Date().toISOString(),
      level: 'error',
      msg: 'unserialisable log record',
    })
  }
}
