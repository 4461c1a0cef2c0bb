import { Type, type Static, type TObject } from 'typebox'
import { createDb, type Db } from '@sunbae/db'
import { ConfigError, DatabaseConfig, loadConfig } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import pkg from '../../package.json' with { type: 'json' }

/** DATABASE_URL, as every catalog CLI reads it: mentor-catalog's own role. */
export const CliDatabaseUrl = { DATABASE_URL: DatabaseConfig.properties.DATABASE_URL }

/**
 * A catalog CLI's settings (`schema`, which includes CliDatabaseUrl) and its connection to the
 * catalog's schema — or, when the settings are wrong, what is wrong on stderr and exit code 2. A
 * small pool; queries are not reported as slow below a minute.
 */
export function cliDatabase<S extends TObject>(name: string, schema: S, defaults: Record<string, unknown> = {}): { config: Static<S>; database: Db<DB> } {
  let config: Static<S>
  try {
    config = loadConfig(schema, process.env, defaults)
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`)
    process.exit(2)
  }
  const database = createDb<DB>({
    connectionString: (config as { DATABASE_URL: string }).DATABASE_URL,
    schema: pkg.sunbae.schema,
    service: 'mentor-catalog',
    slowQueryMs: 60_000,
    poolMax: 2,
    applicationName: `mentor-catalog-${name}`,
  })
  return { config, database }
}

/** Only DATABASE_URL. */
export const CliDatabaseOnly = Type.Object(CliDatabaseUrl)
