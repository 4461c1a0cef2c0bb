import pg from 'pg'
import { discoverServices, selectServices } from './discover.ts'
import { databaseName, ownerRole, serviceRole, servicePassword, withDatabase } from './names.ts'

const { escapeIdentifier: id, escapeLiteral: lit } = pg

export interface SetupOptions {
  /** Superuser (or CREATEDB + CREATEROLE) URL; its database is created when missing. */
  adminUrl: string
  rootDir: string
  /** Only these services (folder names or schemas); default all discovered. */
  services?: readonly string[]
  env?: NodeJS.ProcessEnv
}

export interface SetupResult {
  database: string
  databaseCreated: boolean
  /** `role` is the login the service runs as, `owner` the NOLOGIN role its migrations act as. */
  services: Array<{ service: string; schema: string; role: string; owner: string; roleCreated: boolean }>
}

// Roles are cluster-wide and several setups (parallel test suites on their own databases) may run
// at once; CREATE/ALTER ROLE racing each other fail with "tuple concurrently updated". Advisory
// locks are per database, so the lock is taken in the maintenance database every setup shares.
const SETUP_LOCK = "hashtext('sunbae.db.setup')"

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  // An unhandled 'error' event (server gone while idle) would crash the process.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (err) {
    await client.end().catch(() => {})
    throw err
  }
  return client
}

/**
 * Idempotent: creates the database, then per service two roles around one schema: a NOLOGIN owner
 * (`sunbae_<schema>_owner`) that owns the schema and everything in it, which only migrations act as
 * (SET ROLE from the admin's session), and the login role the service runs as (`sunbae_<schema>`),
 * which may read and write rows but not create, alter, drop or truncate anything. Roles get no grants
 * anywhere else, and `public` is closed, so a service can neither read another service's tables nor
 * park tables in a shared place. A database set up before the split (the login role owned its
 * schema and tables) is upgraded in place: ownership moves to the owner, rows stay.
 */
export async function setupDatabase(options: SetupOptions): Promise<SetupResult> {
  const env = options.env ?? process.env
  const database = databaseName(options.adminUrl)
  const services = selectServices(await discoverServices(options.rootDir), options.services)
  // Resolve passwords before touching the server: a production run without them must change nothing.
  const passwords = new Map(services.map((s) => [s.schema, servicePassword(s.schema, env)]))

  const maintenance = await connect(withDatabase(options.adminUrl, 'postgres'))
  try {
    await maintenance.query(`select pg_advisory_lock(${SETUP_LOCK})`)
    const exists = await maintenance.query('select 1 from pg_database where datname = $1', [database])
    const databaseCreated = exists.rowCount === 0
    if (databaseCreated) await maintenance.query(`create database ${id(database)}`)

    const target = await connect(options.adminUrl)
    try {
      await target.query('begin')
      // Only the platform's roles may connect; PUBLIC's default CONNECT/TEMP would let any role in.
      await target.query(`revoke all on database ${id(database)} from public`)
      const publicSchema = await target.query(`select 1 from pg_namespace where nspname = 'public'`)
      if (publicSchema.rowCount) await target.query('revoke create, usage on schema public from public')

      // Without superuser the admin (CREATEROLE) must belong to an owner role to hand it objects,
      // set its default privileges and SET ROLE to it for migrations, and to the login role to
      // REASSIGN what that one owned before the split.
      const admin = await target.query<{ rolsuper: boolean }>('select rolsuper from pg_roles where rolname = current_user')
      const superuser = admin.rows[0]?.rolsuper === true

      const result: SetupResult = { database, databaseCreated, services: [] }
      for (const service of services) {
        const schema = id(service.schema)
        const role = serviceRole(service.schema)
        const owner = ownerRole(service.schema)
        const password = lit(passwords.get(service.schema)!)
        const found = await target.query('select 1 from pg_roles where rolname = $1', [role])
        const roleCreated = found.rowCount === 0
        // Re-stating the attributes undoes any hand-made privilege escalation of a service role.
        // Only a superuser may even name SUPERUSER, REPLICATION and BYPASSRLS (Postgres 15), and a
        // CREATEROLE admin cannot grant them either, so without superuser they are left out.
        const attrs = superuser ? 'nosuperuser nocreatedb nocreaterole noreplication nobypassrls' : 'nocreatedb nocreaterole'
        await target.query(`${roleCreated ? 'create' : 'alter'} role ${id(role)} with login ${attrs} password ${password}`)
        const ownerFound = await target.query('select 1 from pg_roles where rolname = $1', [owner])
        await target.query(`${ownerFound.rowCount === 0 ? 'create' : 'alter'} role ${id(owner)} with nologin ${attrs} password null`)
        if (!superuser) await target.query(`grant ${id(owner)}, ${id(role)} to current_user`)
        await target.query(`grant connect, temporary on database ${id(database)} to ${id(role)}`)
        await target.query(`create schema if not exists ${schema} authorization ${id(owner)}`)
        // Before the split the login role owned the schema and what its migrations (and tracking's
        // partition maintenance) created; a schema made by an admin's manual CREATE changes hands too.
        await target.query(`reassign owned by ${id(role)} to ${id(owner)}`)
        await target.query(`alter schema ${schema} owner to ${id(owner)}`)
        await target.query(`revoke all on schema ${schema} from public, ${id(role)}`)
        await target.query(`grant usage on schema ${schema} to ${id(role)}`)
        // What exists now (an upgraded database)...
        await target.query(`revoke all on all tables in schema ${schema} from ${id(role)}`)
        await target.query(`grant select, insert, update, delete on all tables in schema ${schema} to ${id(role)}`)
        // ...but the migrator's bookkeeping is the owner's alone (migrateAll revokes it on new ones)
        const bookkeeping = await target.query<{ t: string }>(
          `select tablename as t from pg_tables where schemaname = $1 and tablename in ('kysely_migration', 'kysely_migration_lock')`, [service.schema])
        for (const { t } of bookkeeping.rows) await target.query(`revoke all on ${schema}.${id(t)} from ${id(role)}`)
        await target.query(`revoke all on all sequences in schema ${schema} from ${id(role)}`)
        await target.query(`grant usage, select on all sequences in schema ${schema} to ${id(role)}`)
        await target.query(`grant execute on all routines in schema ${schema} to ${id(role)}`)
        // ...and what later migrations create as the owner.
        const defaults = `alter default privileges for role ${id(owner)} in schema ${schema} grant`
        await target.query(`${defaults} select, insert, update, delete on tables to ${id(role)}`)
        await target.query(`${defaults} usage, select on sequences to ${id(role)}`)
        await target.query(`${defaults} execute on routines to ${id(role)}`)
        await target.query(`alter role ${id(role)} set search_path = ${schema}`)
        // CREATE EXTENSION needs CREATE on the database (trusted extensions) or superuser, which the
        // service roles must not have; an extension's operator classes are usable without schema
        // privileges, so the admin installs what a service declares and the role only uses it.
        for (const extension of service.extensions) await target.query(`create extension if not exists ${id(extension)}`)
        result.services.push({ service: service.name, schema: service.schema, role, owner, roleCreated })
      }
      await target.query('commit')
      return result
    } catch (err) {
      await target.query('rollback').catch(() => {})
      throw err
    } finally {
      await target.end()
    }
  } finally {
    await maintenance.query(`select pg_advisory_unlock(${SETUP_LOCK})`).catch(() => {})
    await maintenance.end()
  }
}

/** Drops the database named in `adminUrl`, kicking out its sessions (tests, throwaway databases). */
export async function dropDatabase(adminUrl: string): Promise<void> {
  const database = databaseName(adminUrl)
  if (database === 'postgres') throw new Error('refusing to drop the maintenance database')
  const maintenance = await connect(withDatabase(adminUrl, 'postgres'))
  try {
    await maintenance.query(`drop database if exists ${id(database)} with (force)`)
  } finally {
    await maintenance.end()
  }
}

/** Names of the databases on the server of `adminUrl` that start with `prefix`. */
export async function listDatabases(adminUrl: string, prefix: string): Promise<string[]> {
  const maintenance = await connect(withDatabase(adminUrl, 'postgres'))
  try {
    const found = await maintenance.query<{ datname: string }>(
      "select datname from pg_database where starts_with(datname, $1) order by datname", [prefix])
    return found.rows.map((r) => r.datname)
  } finally {
    await maintenance.end()
  }
}

/**
 * Creates the database named in `adminUrl` as a copy of `template` (a database on the same server that
 * nobody is connected to), replacing one of that name. A copy has the template's schemas, tables,
 * rows and object grants; database-level grants (CONNECT, TEMPORARY) are not copied: run
 * setupDatabase on it, which restores them.
 */
export async function copyDatabase(adminUrl: string, template: string): Promise<void> {
  const database = databaseName(adminUrl)
  if (database === 'postgres') throw new Error('refusing to replace the maintenance database')
  const maintenance = await connect(withDatabase(adminUrl, 'postgres'))
  try {
    await maintenance.query(`drop database if exists ${id(database)} with (force)`)
    await maintenance.query(`create database ${id(database)} template ${id(template)}`)
  } finally {
    await maintenance.end()
  }
}

/** Renames the database named in `adminUrl` to `name`; false (and nothing renamed) when `name` exists. */
export async function renameDatabase(adminUrl: string, name: string): Promise<boolean> {
  const maintenance = await connect(withDatabase(adminUrl, 'postgres'))
  try {
    await maintenance.query(`alter database ${id(databaseName(adminUrl))} rename to ${id(name)}`)
    return true
  } catch (err) {
    if ((err as { code?: string }).code === '42P04') return false // duplicate_database
    throw err
  } finally {
    await maintenance.end()
  }
}
