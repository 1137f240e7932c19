#!/usr/bin/env node
/**
 * `npm run build:console`: bundles the console (console/src, TypeScript, plus the attest library
 * it re-verifies bundles with, Leaflet and uPlot) with esbuild into console/dist, which the worker
 * serves as Workers static assets (wrangler.toml [assets]). Outputs are content-hashed; index.html
 * names them, and _headers gives every asset a strict Content-Security-Policy. Set
 * AEGIS_CONSOLE_TILES to a tile URL template to draw a base map (none by default: the zones and
 * fixes render offline). Leaves out a dev server: `npm run dev` serves console/dist as built.
 * The build goes to console/.dist-next and is then moved into console/dist file by file, keeping
 * the dist directory itself: a running `wrangler dev` watches that directory, and removing it
 * (rm -rf, then mkdir) left wrangler serving 404 at / until restarted. index.html moves last, so
 * it never names a file not yet in place; stale hashed files are removed after it.
 */
import { build } from 'esbuild'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'

const here = path.dirname(new URL(import.meta.url).pathname)
const dist = path.join(here, 'dist')
const out = path.join(here, '.dist-next')
const tiles = process.env.AEGIS_CONSOLE_TILES ?? ''
if (tiles && !/^https:\/\/[^\s"'<>]+$/.test(tiles))
  throw new Error('AEGIS_CONSOLE_TILES must be an https URL template')

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const result = await build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: out,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  loader: { '.png': 'file', '.svg': 'file' },
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
})

const entry = Object.entries(result.metafile.outputs).find(
  ([, o]) => o.entryPoint === 'src/main.ts',
)
if (!entry) throw new Error('esbuild produced no entry output')
const rel = (p) => path.relative(out, path.resolve(here, p)).split(path.sep).join('/')
const js = rel(entry[0])
const css = entry[1].cssBundle ? rel(entry[1].cssBundle) : null
if (!css) throw new Error('esbuild produced no stylesheet')

const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
const html = readFileSync(path.join(here, 'index.html'), 'utf8')
  .replace('%JS%', js)
  .replace('%CSS%', css)
  .replace('%AEGIS_TILES%', esc(tiles))
writeFileSync(path.join(out, 'index.html'), html)
writeFileSync(path.join(out, 'favicon.svg'), readFileSync(path.join(here, 'favicon.svg')))

// Workers static assets apply _headers to the assets it serves (API answers set their own).
const tileOrigin = tiles ? ' ' + new URL(tiles.replace(/\{[a-z]\}/g, 'a')).origin : ''
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  `img-src 'self' data: blob:${tileOrigin}`,
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')
writeFileSync(
  path.join(out, '_headers'),
  `/*\n  Content-Security-Policy: ${csp}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n  X-Frame-Options: DENY\n`,
)
publish(out, dist)

const bytes = Object.values(result.metafile.outputs).reduce((s, o) => s + o.bytes, 0)
console.log(
  `console: ${js}, ${css} and ${Object.keys(result.metafile.outputs).length - 2} more files, ${(bytes / 1024).toFixed(0)} KiB -> ${path.relative(process.cwd(), dist) || '.'}`,
)

/** Every file under dir, as paths relative to it. */
function files(dir, prefix = '') {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name), prefix + e.name + '/') : [prefix + e.name],
  )
}

/** Move the new build into `to` without replacing the directory, then drop what it no longer has. */
function publish(from, to) {
  mkdirSync(to, { recursive: true })
  const next = files(from)
  const last = new Set(['index.html', '_headers'])
  for (const f of [...next.filter((f) => !last.has(f)), ...next.filter((f) => last.has(f))]) {
    mkdirSync(path.dirname(path.join(to, f)), { recursive: true })
    renameSync(path.join(from, f), path.join(to, f))
  }
  const keep = new Set(next)
  for (const f of files(to)) if (!keep.has(f)) rmSync(path.join(to, f), { force: true })
  for (const d of readdirSync(to, { withFileTypes: true })) {
    if (d.isDirectory() && files(path.join(to, d.name)).length === 0)
      rmSync(path.join(to, d.name), { recursive: true, force: true })
  }
  rmSync(from, { recursive: true, force: true })
}
