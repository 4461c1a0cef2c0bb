// The bench's database: its own (sunbae_bench_tracking), set up and migrated by the project's CLIs.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

export { createDb, ownerRole, serviceDatabaseUrl, withDatabase } from '@sunbae/db'

export function ensureDatabase(adminUrl: string, root: string): void {
  for (const script of ['setup.ts', 'migrate.ts']) {
    const res = spawnSync(process.execPath, [join(root, 'packages/db/src/cli', script), '--service', 'tracking'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: adminUrl },
      encoding: 'utf8',
    })
    if (res.status !== 0) throw new Error(`db ${script} failed:\n${res.stdout}${res.stderr}`)
  }
}
