import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sql, type Kysely } from 'kysely'
import { Migrator, type Migration, type MigrationResult } from 'kysely/migration'
import { createDb } from './create-db.ts'
import { discoverServices, selectServices, type ServiceInfo } from './discover.ts'
import { platformMigrations } from './migrations.ts'
import { assertSchemaName, ownerRole, serviceRole } from './names.ts'

// Service migrations are date-prefixed so lexical order is time order; the 0000 prefix is reserved
// for platform migrations, which must run first.
const MIGRATION_FILE = /^(\d{4}-\d{2}-\d{2}.*)\.ts$/

/** The .ts migrations of a folder, keyed by file name without extension. A missing folder is empty. */
export async function loadMigrations(migrationsDir: string): Promise<Record<string, Migration>> {
  const files = await readdir(migrationsDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[]
    throw err
  })
  const migrations: Record<string, Migration> = {}
  for (const file of files.sort()) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue
    const match = MIGRATION_FILE.exec(file)
    if (!match || file.startsWith('0000-')) {
      throw new Error(`${join(migrationsDir, file)}: migration names start with a date (2026-11-27T1200_create_users.ts); 0000- is reserved`)
    }
    const mod = (await import(pathToFileURL(join(migrationsDir, file)).href)) as Partial<Migration>
    if (typeof mod.up !== 'function') throw new Error(`${join(migrationsDir, file)} exports no up(db) function`)
    migrations[match[1]!] = { up: mod.up, ...(typeof mod.down === 'function' ? { down: mod.down } : {}) }
  }
  return migrations
}

export interface MigrateSchemaOptions {
  /** Must be bound to `schema` (createDb does this): migrations create tables unqualified. */
  db: Kysely<any>
  schema: string
  migrationsDir?: string
  includePlatform?: boolean
  /** 'latest' applies everything pending; 'down' reverts the last applied migration. */
  direction?: 'latest' | 'down'
}

export interface MigrateSchemaResult {
  schema: string
  /** Names of the migrations this call ran, in order. */
  applied: string[]
  results: MigrationResult[]
}

export async function migrateSchema(options: MigrateSchemaOptions): Promise<MigrateSchemaResult> {
  const schema = assertSchemaName(options.schema)
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(options.db)
  if (rows[0]?.schema !== schema) {
    // Unqualified CREATE TABLEs would otherwise land in whatever schema comes first, silently.
    throw new Error(
      `cannot migrate ${schema}: the connection resolves unqualified names to ${rows[0]?.schema ?? 'no schema'}` +
        ` (does schema ${schema} exist? run npm run db:setup; connect with createDb({ schema }))`,
    )
  }
  const own = options.migrationsDir ? await loadMigrations(options.migrationsDir) : {}
  const all = { ...(options.includePlatform === false ? {} : platformMigrations), ...own }
  const migrator = new Migrator({
    db: options.db,
    migrationTableSchema: schema,
    provider: { getMigrations: async () => all },
  })
  const { error, results = [] } =
    options.direction === 'down' ? await migrator.migrateDown() : await migrator.migrateToLatest()
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`migrating ${schema} failed${failed ? ` at ${failed}` : ''}: ${reason}`, { cause: error })
  }
  return { schema, applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName), results }
}

export interface MigrateAllOptions {
  adminUrl: string
  rootDir: string
  /** Only these services (folder names or schemas). */
  services?: readonly string[]
  /** Called after each service, e.g. to print progress before a later one fails. */
  onMigrated?: (service: ServiceInfo, result: MigrateSchemaResult) => void
}

/**
 * Migrates every service as its schema's owner role (SET ROLE from the admin's login; db:setup made
 * the owner and, without superuser, the admin a member of it), so the owner owns what migrations
 * create and the service's login role gets rows only (default privileges). Stops at
 * the first failing service (later services may depend on nothing, but a half-migrated platform
 * should be looked at before going on).
 */
export async function migrateAll(options: MigrateAllOptions): Promise<Array<MigrateSchemaResult & { service: string }>> {
  const services = selectServices(await discoverServices(options.rootDir), options.services)
  const out: Array<MigrateSchemaResult & { service: string }> = []
  for (const service of services) {
    const { db, close } = createDb({
      connectionString: options.adminUrl,
      role: ownerRole(service.schema),
      schema: service.schema,
      service: service.name,
      slowQueryMs: Number.POSITIVE_INFINITY,
      applicationName: `${service.name}-migrate`,
      poolMax: 1,
    })
    try {
      const result = await migrateSchema({ db, schema: service.schema, migrationsDir: service.migrationsDir })
      // The migrator's bookkeeping got the login role's row privileges by default like any table of
      // the owner's; a service that could edit it could mark a migration as run, or unlock one mid-run.
      await sql`revoke all on kysely_migration, kysely_migration_lock from ${sql.id(serviceRole(service.schema))}`.execute(db)
      options.onMigrated?.(service, result)
      out.push({ service: service.name, ...result })
    } catch (err) {
      throw new Error(`${service.schema}: ${(err as Error).message}`, { cause: err })
    } finally {
      await close()
    }
  }
  return out
}
