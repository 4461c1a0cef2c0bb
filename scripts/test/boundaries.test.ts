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
