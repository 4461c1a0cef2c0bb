/** The one dev password every service role gets when its DB_PASSWORD_<SCHEMA> is unset. */
export const DEV_PASSWORD = 'sunbae-dev'

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/sunbae'

// Schema names end up in role names, `-c search_path=` options and env var names, so they are
// restricted to plain lower-case identifiers: nothing there ever needs quoting or escaping.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,49}$/

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _ (max 50)`)
  }
  return schema
}

/** Login role a service runs as: DML on its schema's tables, no DDL (it owns nothing). */
export function serviceRole(schema: string): string {
  return `sunbae_${assertSchemaName(schema)}`
}

/**
 * NOLOGIN role that owns a service's schema and everything in it. Only migrations act as it, by
 * SET ROLE from the admin's session, so changing tables needs the admin's credentials, never the
 * service's. 7 + 50 + 6 characters: within Postgres's 63.
 */
export function ownerRole(schema: string): string {
  return `${serviceRole(schema)}_owner`
}

/** Env var holding the role's password, e.g. DB_PASSWORD_MENTOR_CATALOG. */
export function passwordEnvVar(schema: string): string {
  return `DB_PASSWORD_${assertSchemaName(schema).toUpperCase()}`
}

/**
 * Password of a service role: DB_PASSWORD_<SCHEMA> or, outside production, the dev default.
 * Production must set every DB_PASSWORD_<SCHEMA>; a shared well-known password there would let any
 * service (or anyone who read this file) log in as any other.
 */
export function servicePassword(schema: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = passwordEnvVar(schema)
  const value = env[name]
  if (value) return value
  if (env.NODE_ENV === 'production') {
    throw new Error(`${name} is not set; production refuses the dev default password`)
  }
  return DEV_PASSWORD
}

/** Same server and database as `adminUrl`, logged in as the service's own role. */
export function serviceDatabaseUrl(adminUrl: string, schema: string, password?: string): string {
  const url = new URL(adminUrl)
  url.username = serviceRole(schema)
  url.password = encodeURIComponent(password ?? servicePassword(schema))
  return url.toString()
}

/** Same server and credentials as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${encodeURIComponent(database)}`
  return u.toString()
}

/** Database named in a connection URL (what setup creates). */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  if (!name) throw new Error(`no database name in ${describeUrl(url)}`)
  return name
}

/** host:port/db for messages: never the password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`
  } catch {
    return '(unparseable DATABASE_URL)'
  }
}
