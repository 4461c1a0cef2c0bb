// Runs before `npm start` and `npm test` (npm's prestart/pretest) on whatever Node is first on PATH
// — plain JavaScript on purpose, so that on an older Node it can still explain what to do instead
// of failing on TypeScript syntax. Installs nothing.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const problems = []

const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  problems.push(
    `Node ${process.versions.node} is too old: Sunbae needs Node 24 (it runs TypeScript natively).\n` +
      '    export PATH="$(scripts/bootstrap-node.sh):$PATH"   # installs Node 24 from the npm registry into ~/.cache/sunbae',
  )
}
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  problems.push('Dependencies are not installed:\n    npm ci')
}
if (!existsSync(join(root, 'tools', 'firebase', 'node_modules', 'firebase-tools'))) {
  problems.push('firebase-tools (for the Auth emulator) is not installed:\n    npm ci --omit=optional --prefix tools/firebase')
}

if (problems.length) {
  process.stderr.write(`\nBefore the first run on this machine:\n\n  ${problems.join('\n\n  ')}\n\nThen run the command again. (README.md › The two commands)\n\n`)
  process.exit(1)
}
