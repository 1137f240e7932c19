#!/usr/bin/env node
/**
 * `npm run build:console`: bundles the console (console/src, TypeScript, plus the attest library
 * it re-verifies bundles with, Leaflet and uPlot) with esbuild into console/dist, which the worker
 * serves as Workers static assets (wrangler.toml [assets]). Outputs are content-hashed; index.html
 * names them, and _headers gives every asset a strict Content-Security-Policy. Set
 * AEGIS_CONSOLE_TILES to a tile URL template to draw a base map (none by default: the zones and
 * fixes render offline). Leaves out a dev server: `npm run dev` serves console/dist as built.
 */
import { build } from 'esbuild'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const here = path.dirname(new URL(import.meta.url).pathname)
const out = path.join(here, 'dist')
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
const bytes = Object.values(result.metafile.outputs).reduce((s, o) => s + o.bytes, 0)
console.log(
  `console: ${js}, ${css} and ${Object.keys(result.metafile.outputs).length - 2} more files, ${(bytes / 1024).toFixed(0)} KiB -> ${path.relative(process.cwd(), out) || '.'}`,
)
