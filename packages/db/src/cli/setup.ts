// npm run db:setup — create the database, one login role and one schema per service (idempotent).
import { join } from 'node:path'
import { setupDatabase } from '../setup.ts'
import { describeUrl } from '../names.ts'
import { runCli } from './common.ts'

await runCli(async ({ adminUrl, rootDir, services }) => {
  const result = await setupDatabase({ adminUrl, rootDir, services })
  console.log(`database ${result.database} on ${describeUrl(adminUrl)}: ${result.databaseCreated ? 'created' : 'exists'}`)
  if (result.services.length === 0) console.log(`no services found under ${join(rootDir, "services")}`)
  for (const s of result.services) {
    console.log(`${s.schema}: role ${s.role} ${s.roleCreated ? 'created' : 'updated'}, schema ready`)
  }
})
