import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { isConnectionError, pgErrorCode, PgErrorCode } from '../errors.ts'
import { DEFAULT_ADMIN_URL, databaseName, describeUrl } from '../names.ts'

export interface CliArgs {
  adminUrl: string
  rootDir: string
  services: string[]
  /** Extra boolean flags a command declared. */
  flags: Record<string, boolean>
}

/** Shared flags: --service <name> (repeatable), --root <dir> (the monorepo; default: this checkout). */
export function cliArgs(argv = process.argv.slice(2), booleans: readonly string[] = []): CliArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      service: { type: 'string', multiple: true },
      root: { type: 'string' },
      ...Object.fromEntries(booleans.map((b) => [b, { type: 'boolean' as const }])),
    },
    strict: true,
  })
  return {
    adminUrl: process.env.DATABASE_URL || DEFAULT_ADMIN_URL,
    rootDir: typeof values.root === 'string' ? values.root : fileURLToPath(new URL('../../../../', import.meta.url)),
    services: Array.isArray(values.service) ? values.service : [],
    flags: Object.fromEntries(booleans.map((b) => [b, (values as Record<string, unknown>)[b] === true])),
  }
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: unknown[]; cause?: unknown } | null
  if (typeof e?.code === 'string') return e.code
  return (e?.errors ?? []).map(errorCode).find(Boolean) ?? (e?.cause ? errorCode(e.cause) : undefined)
}

/** One readable line for people at a terminal: no stack, never the password. */
export function explain(err: unknown, adminUrl: string): string {
  const where = describeUrl(adminUrl)
  if (isConnectionError(err)) {
    const code = errorCode(err)
    return (
      `Cannot reach Postgres at ${where.replace(/\/.*$/, '')}${code ? ` (${code})` : ''}. ` +
      'Start it (Debian: pg_ctlcluster 15 main start; compose: docker compose up -d postgres) ' +
      'or point DATABASE_URL at a running server.'
    )
  }
  const inner = (err as { cause?: unknown }).cause ?? err
  const code = pgErrorCode(inner) ?? pgErrorCode(err)
  const message = err instanceof Error ? err.message : String(err)
  if (code === PgErrorCode.invalidCatalogName) {
    return `Database ${databaseName(adminUrl)} does not exist on ${where}: run npm run db:setup first. (${message})`
  }
  if (code === PgErrorCode.invalidPassword || code === PgErrorCode.invalidAuthorization) {
    return `Postgres at ${where} refused the login: ${message}. Run npm run db:setup, and check DATABASE_URL / DB_PASSWORD_<SCHEMA>.`
  }
  return `Failed against ${where}: ${message}`
}

export async function runCli(main: (args: CliArgs) => Promise<void>, booleans: readonly string[] = []): Promise<void> {
  let args: CliArgs
  try {
    args = cliArgs(process.argv.slice(2), booleans)
  } catch (err) {
    console.error((err as Error).message)
    process.exitCode = 2
    return
  }
  try {
    await main(args)
  } catch (err) {
    console.error(explain(err, args.adminUrl))
    process.exitCode = 1
  }
}
