// What a page of the built app downloads before it can run: the entry (index.html's script) and every
// chunk it imports statically (Vite preloads those with <link rel="modulepreload">), read from the
// build's manifest (dist/.vite/manifest.json, build.manifest in vite.config.ts). Lazy routes and
// components (dynamic imports) are not in it: they come when a page needs them.
//
// Used by the bundle budget check (test/bundle-budget.test.ts) and printed by `npm run bench:web`.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

/**
 * The landing and search page's JavaScript budget, gzipped (see web/README.md › Performance): issue 24
 * asked for ≤ 170 KB; without antd on the first page and with only the Korean words (English is loaded
 * when chosen) it is 120.8 KB, and the budget keeps that gain with 5 % to spare.
 */
export const LANDING_BUDGET_BYTES = 127 * 1024

export interface ManifestChunk {
  file: string
  src?: string
  name?: string
  isEntry?: boolean
  isDynamicEntry?: boolean
  imports?: string[]
  dynamicImports?: string[]
  css?: string[]
}
export type Manifest = Record<string, ManifestChunk>

export function readManifest(dist: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Manifest
}

/** The manifest keys of `key` and every chunk it imports statically, transitively. */
export function staticGraph(manifest: Manifest, key: string): string[] {
  const seen = new Set<string>()
  const walk = (k: string) => {
    if (seen.has(k)) return
    const chunk = manifest[k]
    if (!chunk) throw new Error(`${k} is not in the build manifest`)
    seen.add(k)
    for (const i of chunk.imports ?? []) walk(i)
  }
  walk(key)
  return [...seen]
}

export interface FileSize {
  file: string
  bytes: number
  gzip: number
}

/** Sizes as they go over the wire: gzip at nginx's level for precompressed files (9). */
export function sizeOf(dist: string, file: string): FileSize {
  const body = fs.readFileSync(path.join(dist, file))
  return { file, bytes: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length }
}

/** The JavaScript (and CSS) the first page loads: the entry chunk and its static imports. */
export function landingFiles(dist: string, manifest = readManifest(dist)): FileSize[] {
  const files = staticGraph(manifest, 'index.html').flatMap((k) => [manifest[k]!.file, ...(manifest[k]!.css ?? [])])
  return [...new Set(files)].map((f) => sizeOf(dist, f))
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
