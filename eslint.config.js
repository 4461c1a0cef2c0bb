// Lint rules for the whole monorepo. Beyond typescript-eslint's recommended set, the one rule that
// matters most is the service boundary: a service never imports another service (or the gateway or
// the web), the web imports nothing server-side but @sunbae/contracts, and shared packages import
// no deployable. Both relative paths and package names are checked.
import { readdirSync } from 'node:fs'
import tseslint from 'typescript-eslint'
import importX from 'eslint-plugin-import-x'

const services = readdirSync(new URL('./services', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)

const serviceBoundary = 'A service owns its code and data: talk to other services over NATS or HTTP, share only packages/*.'

const zones = [
  ...services.map((s) => ({ target: `./services/${s}`, from: './services', except: [`./${s}`], message: serviceBoundary })),
  { target: './services', from: './gateway', message: serviceBoundary },
  { target: './services', from: './web', message: serviceBoundary },
  { target: './gateway', from: './services', message: 'The gateway proxies to services; it never imports them.' },
  { target: './gateway', from: './web', message: 'The gateway never imports the web app.' },
  { target: './web', from: './services', message: 'The web app imports only @sunbae/contracts, never server code.' },
  { target: './web', from: './gateway', message: 'The web app imports only @sunbae/contracts, never server code.' },
  { target: './web', from: './packages', except: ['./contracts'], message: 'The web app imports only @sunbae/contracts, never server code.' },
  { target: './packages', from: './services', message: 'Shared packages never depend on a deployable.' },
  { target: './packages', from: './gateway', message: 'Shared packages never depend on a deployable.' },
]

// Where is the SQL? In repositories (`*.repository.ts`, row types in `*.table.ts`), migrations and
// packages/db, nowhere else: rules, routes, plugins and jobs pass `Database`/`Tx`/`Executor` types from
// @sunbae/db and call a repository. Tests and benches may inspect the database directly.
const noKysely = {
  name: 'kysely',
  message: 'Only *.repository.ts, *.table.ts, migrations and packages/db touch Kysely: take a Database/Tx/Executor type from @sunbae/db and call a repository.',
}
const SQL_HOMES = ['**/*.repository.ts', '**/*.table.ts', '**/db/types.ts']

// One no-restricted-imports per file: flat config replaces (does not merge) a rule's options, so the
// Kysely ban repeats the boundary of the folder it applies in.
const banPackages = (names, message, { kysely = false } = {}) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: names, message }], ...(kysely ? { paths: [noKysely] } : {}) }],
})

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.run/**', '**/dist/**', 'tools/**', '**/.turbo/**', '**/*.d.ts', 'services/*/src/db/types.ts'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } } },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...services.flatMap((s) => {
    const others = [...services.filter((o) => o !== s).map((o) => `@sunbae/${o}`), '@sunbae/gateway', '@sunbae/web']
    return [
      { files: [`services/${s}/**`], rules: banPackages(others, serviceBoundary) },
      { files: [`services/${s}/src/**`], ignores: SQL_HOMES, rules: banPackages(others, serviceBoundary, { kysely: true }) },
    ]
  }),
  { files: ['gateway/**'], rules: banPackages([...services.map((o) => `@sunbae/${o}`), '@sunbae/web'], 'The gateway never imports a service.') },
  { files: ['gateway/src/**'], rules: banPackages([...services.map((o) => `@sunbae/${o}`), '@sunbae/web'], 'The gateway never imports a service.', { kysely: true }) },
  {
    files: ['packages/**'],
    rules: banPackages([...services.map((o) => `@sunbae/${o}`), '@sunbae/gateway', '@sunbae/web'], 'Shared packages never depend on a deployable.'),
  },
  {
    files: ['packages/*/src/**'],
    ignores: [...SQL_HOMES, 'packages/db/**'],
    rules: banPackages([...services.map((o) => `@sunbae/${o}`), '@sunbae/gateway', '@sunbae/web'], 'Shared packages never depend on a deployable.', { kysely: true }),
  },
  {
    files: ['web/**'],
    rules: banPackages(['@sunbae/*', '!@sunbae/contracts'], 'The web app imports only @sunbae/contracts, never server code.'),
  },
  {
    // The browser journeys' stack runs in Node, never in the app: it starts NATS with the test infrastructure.
    files: ['web/test/e2e/**'],
    rules: banPackages(['@sunbae/*', '!@sunbae/contracts', '!@sunbae/testing'], 'The web app imports only @sunbae/contracts, never server code; its e2e stack may also use @sunbae/testing.'),
  },
)
