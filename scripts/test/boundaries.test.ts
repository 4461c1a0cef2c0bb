import t from 'tap'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'

const root = fileURLToPath(new URL('../..', import.meta.url))
const eslint = new ESLint({ cwd: root })

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'import-x/no-restricted-paths' || m.ruleId === 'no-restricted-imports')
    .map((m) => `${m.ruleId}: ${m.message}`)
}

t.test('a service importing another service by path fails lint', async (t) => {
  const errors = await boundaryErrors('services/matching/src/probe.ts', "import pkg from '../../mentor-catalog/package.json' with { type: 'json' }\nexport default pkg\n")
  t.equal(errors.length, 1, errors.join('\n'))
  t.match(errors[0], /no-restricted-paths/)
})

t.test('a service importing another service by package name fails lint', async (t) => {
  const errors = await boundaryErrors('services/matching/src/probe.ts', "import x from '@sunbae/mentor-catalog'\nexport default x\n")
  t.equal(errors.length, 1, errors.join('\n'))
  t.match(errors[0], /no-restricted-imports/)
})

t.test('a service importing the gateway fails lint', async (t) => {
  const errors = await boundaryErrors('services/tracking/src/probe.ts', "import pkg from '../../../gateway/package.json' with { type: 'json' }\nexport default pkg\n")
  t.equal(errors.length, 1, errors.join('\n'))
})

t.test('the web importing server code fails lint; contracts are allowed', async (t) => {
  t.equal((await boundaryErrors('web/src/probe.ts', "import x from '@sunbae/service-kit'\nexport default x\n")).length, 1)
  t.equal((await boundaryErrors('web/src/probe.ts', "import pkg from '../../packages/db/package.json' with { type: 'json' }\nexport default pkg\n")).length, 1)
  t.same(await boundaryErrors('web/src/probe.ts', "import { Me } from '@sunbae/contracts'\nexport default Me\n"), [])
})

t.test('a service importing shared packages and its own files passes', async (t) => {
  t.same(
    await boundaryErrors(
      'services/matching/src/probe.ts',
      "import { loadConfig } from '@sunbae/service-kit'\nimport pkg from '../package.json' with { type: 'json' }\nexport default [loadConfig, pkg]\n",
    ),
    [],
  )
})

t.test('Kysely is imported only by repositories, table types, migrations and packages/db', async (t) => {
  const kysely = "import { sql } from 'kysely'\nexport default sql\n"
  for (const file of [
    'services/meeting/src/bookings/probe.service.ts',
    'services/meeting/src/routes/api/meetings/probe.ts',
    'services/meeting/src/plugins/app/probe.ts',
    'services/meeting/src/jobs.ts',
    'gateway/src/probe.ts',
    'packages/bus/src/probe.ts',
    'packages/service-kit/src/probe.ts',
  ]) {
    const errors = await boundaryErrors(file, kysely)
    t.equal(errors.length, 1, `${file}: ${errors.join('\n')}`)
    t.match(errors[0], /no-restricted-imports: .*Only \*\.repository\.ts/)
  }
  // a type-only import is still an import of the driver
  t.equal((await boundaryErrors('services/matching/src/probe.service.ts', "import type { Kysely } from 'kysely'\nexport type X = Kysely<any>\n")).length, 1)
  for (const file of [
    'services/meeting/src/bookings/probe.repository.ts',
    'services/meeting/src/bookings/probe.table.ts',
    'services/meeting/migrations/2099-01-01T0000_probe.ts',
    'packages/db/src/probe.ts',
    'packages/bus/src/probe.repository.ts',
    'services/meeting/test/probe.test.ts',
  ]) {
    t.same(await boundaryErrors(file, kysely), [], file)
  }
})

t.test('in a service file where Kysely is banned, the service boundary still holds', async (t) => {
  // flat config replaces a rule's options per file: both bans must survive in one rule
  const errors = await boundaryErrors('services/matching/src/probe.service.ts', "import x from '@sunbae/mentor-catalog'\nimport { sql } from 'kysely'\nexport default [x, sql]\n")
  t.equal(errors.length, 2, errors.join('\n'))
  t.ok(errors.some((e) => e.includes('@sunbae/mentor-catalog')))
  t.ok(errors.some((e) => e.includes("'kysely'")))
})
