/**
 * Start a real collector: `wrangler dev` (workerd with local D1, R2, DOs and Queues) on a free
 * loopback port, with its own state directory, fresh development keys in an env file, the D1
 * migrations applied, and the local swtpm CA configured as the manufacturer root (the same
 * seeding `npm run dev` does), in development mode (`--env dev`, wrangler.toml [env.dev]: built-in
 * policy and world zone). Shared by the integration tests (test/node/helpers/collector.ts
 * re-exports it) and the ingest benchmark, which also reads D1 through `persistDir`.
 * `snapshot: true` serves a bundle made once at start (`wrangler deploy --dry-run`) instead of the
 * live sources, so edits to the tree during a long run cannot reload the worker under load.
 * Call stop() when done; it also removes the state directory.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { formatEnvFile, makeDevVars, type DevVars } from '../../scripts/dev-vars.mjs'
import { mintDevToken, type DevRole } from '../../agent/dev/dev-token.ts'
import { seedDevConfig } from '../../scripts/seed-dev.ts'
import { queryD1 } from './d1-query.ts'
import { REPO_ROOT, WRANGLER_BIN, startWranglerDev, wranglerEnv } from './wrangler-dev.ts'

export interface Collector {
  url: string
  vars: DevVars
  /** The `--persist-to` directory holding D1, R2, DO and queue state. */
  persistDir: string
  /** Process group of wrangler and its workerd (bench/harness/process-rss.ts). */
  processGroup: number
  token(role: DevRole): Promise<string>
  /** fetch with a role token */
  api(role: DevRole, pathname: string, init?: RequestInit): Promise<Response>
  /** Run one SQL statement on the local D1 database (wrangler d1 execute). */
  d1<T = Record<string, unknown>>(sql: string): Promise<T[]>
  logs(): string
  stop(): Promise<void>
}

export interface CollectorOptions {
  /** Extra worker secrets/vars, written to the env file (override the generated keys). */
  vars?: Record<string, string>
  /**
   * Plain vars for the worker (`--var K:V`, e.g. ECDSA_BACKEND). The env file only delivers what
   * wrangler.toml declares under [secrets].
   */
  workerVars?: Record<string, string>
  /** Serve a bundle frozen at start rather than the watched sources. */
  snapshot?: boolean
  /**
   * wrangler dev's local observability (tail events of every invocation kept for the local
   * dashboard; development tooling, not deployed). Unset: wrangler's default (on).
   */
  localObservability?: boolean
  /**
   * The directory under which the collector's own temporary directory (env file, state) is
   * made; the system tmpdir unless set (the bench passes its --state-dir: state-dir.ts).
   */
  parentDir?: string
  /**
   * V8 flags for workerd (miniflare's MINIFLARE_WORKERD_V8_FLAGS), after any the caller's
   * environment already sets: the soak asks for `--trace-gc` to follow each isolate's live heap.
   */
  v8Flags?: string[]
}

/**
 * Bundle the worker as deployed (`wrangler deploy --dry-run`); served as the entry point with the
 * repo's wrangler.toml (so its relative paths still resolve), wrangler dev then watches only the
 * bundle. Edits to wrangler.toml itself still reload the worker.
 */
function snapshotWorker(dir: string): string {
  const out = path.join(dir, 'build')
  try {
    execFileSync(WRANGLER_BIN, ['deploy', '--dry-run', '--outdir', out], {
      cwd: REPO_ROOT,
      env: wranglerEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  } catch (e) {
    const x = e as { stderr?: string; stdout?: string }
    throw new Error(`bundling the worker failed: ${x.stderr ?? ''}${x.stdout ?? ''}`, { cause: e })
  }
  const bundle = path.join(out, 'index.js')
  if (!existsSync(bundle)) throw new Error(`wrangler deploy --dry-run wrote no ${bundle}`)
  return bundle
}

export async function startCollector(opts: CollectorOptions = {}): Promise<Collector> {
  const dir = mkdtempSync(path.join(opts.parentDir ?? tmpdir(), 'aegis-collector-'))
  try {
    const vars = await makeDevVars()
    const envFile = path.join(dir, 'dev.env')
    writeFileSync(envFile, formatEnvFile({ ...vars, ...(opts.vars ?? {}) }))
    const persist = path.join(dir, 'state')
    try {
      execFileSync(
        WRANGLER_BIN,
        ['d1', 'migrations', 'apply', 'DB', '--local', '--env', 'dev', '--persist-to', persist],
        {
          cwd: REPO_ROOT,
          env: wranglerEnv(),
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
    } catch (e) {
      const x = e as { stderr?: string; stdout?: string }
      throw new Error(`migrations failed: ${x.stderr ?? ''}${x.stdout ?? ''}`, { cause: e })
    }
    const dev = await startWranglerDev({
      // Development defaults (world zone, PCRs pinned at activation): never the deployed default.
      args: [
        ...(opts.snapshot
          ? [snapshotWorker(dir), '-c', path.join(REPO_ROOT, 'wrangler.toml')]
          : []),
        ...['--persist-to', persist, '--env-file', envFile, '--env', 'dev'],
        ...Object.entries(opts.workerVars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      ],
      readyPath: '/healthz',
      env: {
        ...(opts.localObservability === undefined
          ? {}
          : { X_LOCAL_OBSERVABILITY: String(opts.localObservability) }),
        ...(opts.v8Flags?.length
          ? {
              MINIFLARE_WORKERD_V8_FLAGS: [process.env.MINIFLARE_WORKERD_V8_FLAGS, ...opts.v8Flags]
                .filter(Boolean)
                .join(' '),
            }
          : {}),
      },
    })
    const token = (role: DevRole) => mintDevToken(vars.DEV_ADMIN_JWKS, role)
    try {
      await seedDevConfig(dev.url, await token('operator'))
    } catch (e) {
      await dev.stop()
      throw e
    }
    return {
      url: dev.url,
      vars,
      persistDir: persist,
      processGroup: dev.pid,
      token,
      async api(role, pathname, init = {}) {
        const headers = new Headers(init.headers)
        headers.set('authorization', `Bearer ${await token(role)}`)
        if (init.body && !headers.has('content-type'))
          headers.set('content-type', 'application/json')
        return fetch(dev.url + pathname, { ...init, headers })
      },
      d1: (sql) => queryD1(persist, sql),
      logs: dev.logs,
      async stop() {
        await dev.stop()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}
