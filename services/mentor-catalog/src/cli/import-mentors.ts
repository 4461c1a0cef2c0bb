/**
 * `node src/cli/import-mentors.ts FILE.jsonl [--batch N]` (or `npm run seed -- --mentors FILE.jsonl`
 * from the root): loads gen_mentors.py records as approved, active mentors, 1,000 per transaction,
 * each announced with catalog.mentor.approved through the outbox (the running service's relay
 * publishes them). Needs only Postgres: DATABASE_URL is mentor-catalog's own role.
 */
import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import cliProgress from 'cli-progress'
import { ImportError, importMentors } from '../mentors/import.ts'
import { CliDatabaseOnly, cliDatabase } from './database.ts'

const args = process.argv.slice(2)
const batchAt = args.indexOf('--batch')
const batchSize = batchAt >= 0 ? Number(args.splice(batchAt, 2)[1]) : 1_000
const [file] = args
if (!file || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5_000) {
  process.stderr.write('usage: node src/cli/import-mentors.ts FILE.jsonl [--batch 1..5000]\n')
  process.exit(2)
}

let size: number
try {
  size = statSync(file).size
} catch {
  process.stderr.write(`Cannot read ${file}\n`)
  process.exit(2)
}

const { database } = cliDatabase('import', CliDatabaseOnly)
const bar = new cliProgress.SingleBar(
  { format: 'importing mentors {bar} {percentage}% | {records} records | {rate} records/s', hideCursor: true },
  cliProgress.Presets.shades_classic,
)
const started = performance.now()
bar.start(size, 0, { records: 0, rate: 0 })
let code = 0
try {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })
  const stats = await importMentors(database.db, lines, {
    batchSize,
    onBatch: (s, bytes) => bar.update(bytes, { records: s.records, rate: Math.round(s.records / ((performance.now() - started) / 1000)) }),
  })
  bar.update(size)
  bar.stop()
  const secs = (performance.now() - started) / 1000
  process.stdout.write(
    `imported ${stats.records} records (${stats.inserted} new, ${stats.updated} updated, ${stats.unchanged} unchanged) ` +
      `in ${secs.toFixed(1)} s: ${Math.round(stats.records / secs)} records/s\n`,
  )
} catch (err) {
  bar.stop()
  if (err instanceof ImportError) {
    process.stderr.write(`${file}: ${err.message}\nNothing from that line's batch was written; earlier batches were (re-run after fixing: imports upsert).\n`)
  } else {
    process.stderr.write(`Import failed: ${(err as Error).message ?? String(err)}\n`)
  }
  code = 1
} finally {
  await database.close()
}
process.exit(code)
