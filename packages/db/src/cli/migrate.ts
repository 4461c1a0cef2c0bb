// npm run migrate [-- --service <name>] — bring every service schema to its latest migration,
// each as its schema's owner role, so the service's own login role cannot change tables.
import { join } from 'node:path'
import { migrateAll } from '../migrate.ts'
import { runCli } from './common.ts'

await runCli(async ({ adminUrl, rootDir, services }) => {
  const results = await migrateAll({
    adminUrl,
    rootDir,
    services,
    onMigrated: (_service, r) => {
      const n = r.applied.length
      console.log(`${r.schema}: ${n === 0 ? 'up to date' : `${n} migration${n === 1 ? '' : 's'} applied`}`)
    },
  })
  if (results.length === 0) console.log(`no services found under ${join(rootDir, "services")}`)
})
