import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { query, scratch } from './fixtures/helpers.ts'

const run = promisify(execFile)
const cli = (name: string) => fileURLToPath(new URL(`../src/cli/${name}.ts`, import.meta.url))

async function exec(name: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli(name), ...args], { env: { ...process.env, ...env }, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

for (const name of ['setup', 'migrate', 'types']) {
  t.test(`${name}: unreachable Postgres exits 1 with a readable line`, async (t) => {
    const r = await exec(name, [], { DATABASE_URL: 'postgres://postgres:topsecret@127.0.0.1:1/sunbae' })
    t.equal(r.code, 1)
    t.match(r.stderr, /^Cannot reach Postgres at 127\.0\.0\.1:1 \(ECONNREFUSED\)\. .*pg_ctlcluster 15 main start/)
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
    t.notMatch(r.stderr, 'topsecret', 'no password')
    t.equal(r.stderr.trim().split('\n').length, 1)
  })
}

t.test('setup, migrate and types against fixture services', async (t) => {
  const s = await scratch(t, ['alpha', 'beta-gamma'], ['alpha'])
  const env = { DATABASE_URL: s.adminUrl }
  const a = s.schemas.alpha!
  const bg = s.schemas['beta-gamma']!

  const setup = await exec('setup', ['--root', s.rootDir], env)
  t.equal(setup.code, 0, setup.stderr)
  t.match(setup.stdout, /: created\n/)
  t.match(setup.stdout, `${a}: role sunbae_${a} created, schema ready`)
  t.match(setup.stdout, `${bg}: role sunbae_${bg} created, schema ready`)

  const again = await exec('setup', ['--root', s.rootDir], env)
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, `${a}: role sunbae_${a} updated, schema ready`)

  const migrate = await exec('migrate', ['--root', s.rootDir], env)
  t.equal(migrate.code, 0, migrate.stderr)
  t.same(migrate.stdout.trim().split('\n'), [`${a}: 4 migrations applied`, `${bg}: 2 migrations applied`])

  const one = await exec('migrate', ['--root', s.rootDir, '--service', 'beta-gamma'], env)
  t.same(one.stdout.trim().split('\n'), [`${bg}: up to date`])

  const unknown = await exec('migrate', ['--root', s.rootDir, '--service', 'nope'], env)
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /unknown service "nope"/)

  // types: generated from a throwaway copy by default, so DATABASE_URL's own db is left alone.
  const types = await exec('types', ['--root', s.rootDir], env)
  t.equal(types.code, 0, types.stderr)
  t.match(types.stdout, `${a}: wrote services/alpha/src/db/types.ts`)
  const text = await readFile(join(s.rootDir, 'services/alpha/src/db/types.ts'), 'utf8')
  t.match(text, /export interface DB \{\n\s+outbox: Outbox;\n\s+processed_events: ProcessedEvents;\n\s+widgets: Widgets;\n\}/)
  t.notMatch(text, 'kysely_migration')
  t.notMatch(text, a, 'no schema prefix in type names')
  const other = await readFile(join(s.rootDir, 'services/beta-gamma/src/db/types.ts'), 'utf8')
  t.notMatch(other, 'widgets', "another service's tables stay out")
  const leftovers = await query(s.adminUrl, `select datname from pg_database where datname like $1`, [`${new URL(s.adminUrl).pathname.slice(1)}_types_%`])
  t.equal(leftovers.rowCount, 0, 'throwaway database dropped')

  const existing = await exec('types', ['--root', s.rootDir, '--existing', '--service', 'alpha'], env)
  t.equal(existing.code, 0, existing.stderr)
})

t.test('migrate against a database that was never set up says what to do', async (t) => {
  const s = await scratch(t, ['alpha'])
  const r = await exec('migrate', ['--root', s.rootDir], { DATABASE_URL: s.adminUrl })
  t.equal(r.code, 1)
  t.match(r.stderr, /does not exist.*[Rr]un npm run db:setup/)
})
