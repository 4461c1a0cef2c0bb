export {
  DEFAULT_ADMIN_URL,
  DEV_PASSWORD,
  assertSchemaName,
  databaseName,
  describeUrl,
  ownerRole,
  passwordEnvVar,
  serviceDatabaseUrl,
  servicePassword,
  serviceRole,
  withDatabase,
} from './names.ts'
export { discoverServices, selectServices, type ServiceInfo } from './discover.ts'
export { normalizeSql, DEFAULT_MAX_SQL_LENGTH } from './normalize.ts'
export { createDb, type CreateDbOptions, type Database, type Db, type Executor, type SlowQuery, Transactions, type Tx } from './create-db.ts'
export {
  PgErrorCode,
  isConnectionError,
  isForeignKeyViolation,
  isSerializationFailure,
  isUniqueViolation,
  pgErrorCode,
  violatedConstraint,
} from './errors.ts'
export { platformMigrations } from './migrations.ts'
export {
  loadMigrations,
  migrateAll,
  migrateSchema,
  type MigrateAllOptions,
  type MigrateSchemaOptions,
  type MigrateSchemaResult,
} from './migrate.ts'
export { copyDatabase, dropDatabase, listDatabases, renameDatabase, setupDatabase, type SetupOptions, type SetupResult } from './setup.ts'
