import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { assertSchemaName } from './names.ts'

export interface ServiceInfo {
  /** Folder name under services/, e.g. mentor-catalog. */
  name: string
  schema: string
  port: number
  dir: string
  migrationsDir: string
  /** Postgres extensions its migrations need (`"sunbae": { "extensions": [...] }`); db:setup creates them as admin. */
  extensions: string[]
}

/** Services are whatever folder under services/ declares `"sunbae": { "schema", "port" }`. */
export async function discoverServices(rootDir: string): Promise<ServiceInfo[]> {
  const servicesDir = join(rootDir, 'services')
  const entries = await readdir(servicesDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
  const found: ServiceInfo[] = []
  for (const entry of entries) {
    if (!entry.isDirectory()) continue
    const dir = join(servicesDir, entry.name)
    let pkg: { sunbae?: { schema?: unknown; port?: unknown; extensions?: unknown } }
    try {
      pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw new Error(`services/${entry.name}/package.json: ${(err as Error).message}`)
    }
    const cfg = pkg.sunbae
    if (!cfg) continue
    if (typeof cfg.schema !== 'string' || typeof cfg.port !== 'number') {
      throw new Error(`services/${entry.name}/package.json: "sunbae" needs a string "schema" and a number "port"`)
    }
    const extensions = cfg.extensions ?? []
    if (!Array.isArray(extensions) || !extensions.every((e) => typeof e === 'string' && /^[a-z][a-z0-9_]*$/.test(e))) {
      throw new Error(`services/${entry.name}/package.json: "sunbae.extensions" must be an array of extension names`)
    }
    found.push({ name: entry.name, schema: assertSchemaName(cfg.schema), port: cfg.port, dir, migrationsDir: join(dir, 'migrations'), extensions })
  }
  // Two services sharing a schema would silently share tables; that is always a typo.
  const bySchema = new Map<string, string>()
  for (const s of found) {
    const other = bySchema.get(s.schema)
    if (other) throw new Error(`services ${other} and ${s.name} both declare schema ${s.schema}`)
    bySchema.set(s.schema, s.name)
  }
  return found.sort((a, b) => a.name.localeCompare(b.name))
}

/** Narrow to the named services (folder name or schema); unknown names are an error, not a no-op. */
export function selectServices(all: ServiceInfo[], names?: readonly string[]): ServiceInfo[] {
  if (!names || names.length === 0) return all
  return names.map((n) => {
    const s = all.find((x) => x.name === n || x.schema === n)
    if (!s) throw new Error(`unknown service ${JSON.stringify(n)}; known: ${all.map((x) => x.name).join(', ') || '(none)'}`)
    return s
  })
}
