// `npm run user:role -- <email> <mentee|mentor|admin>` from the repo root, against the local stack:
// derives mentor-catalog's own database URL from DATABASE_URL (admin) and uses the Auth emulator
// (FIREBASE_AUTH_EMULATOR_HOST, default 127.0.0.1:9099) unless GOOGLE_APPLICATION_CREDENTIALS points
// at a real project. The work itself is mentor-catalog's CLI (services/mentor-catalog/src/cli/user-role.ts).
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { DEFAULT_ADMIN_URL, serviceDatabaseUrl } from '@sunbae/db'
import { OFFLINE_ENV, REPO_ROOT } from './lib/repo.ts'

const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  ...OFFLINE_ENV,
  DATABASE_URL: serviceDatabaseUrl(process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL, 'mentor_catalog'),
  // Only signs nothing here; the service config demands one.
  IDENTITY_SECRET: process.env.IDENTITY_SECRET ?? randomBytes(32).toString('base64url'),
  PORT: '0',
}
if (!process.env.GOOGLE_APPLICATION_CREDENTIALS) env.FIREBASE_AUTH_EMULATOR_HOST ??= '127.0.0.1:9099'

const cli = path.join(REPO_ROOT, 'services', 'mentor-catalog', 'src', 'cli', 'user-role.ts')
const res = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { env, stdio: 'inherit', cwd: path.dirname(cli) })
process.exit(res.status ?? 1)
