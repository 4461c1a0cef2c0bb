/**
 * `npm run user:role -- <email> <mentee|mentor|admin>`: sets the role claim in Firebase Auth (the
 * emulator locally), updates the account mirror and revokes the user's refresh tokens — how the
 * first admin of a fresh stack is made. Runs the service's own code without listening on a port.
 */
import { ROLES, type Role } from '@sunbae/contracts'
import { buildService, configOrExit } from '@sunbae/service-kit'
import { definition } from '../service.ts'

const [email, role] = process.argv.slice(2)
if (!email || !role || !ROLES.includes(role as Role)) {
  process.stderr.write(`usage: npm run user:role -- <email> <${ROLES.join('|')}>\n`)
  process.exit(2)
}

const config = configOrExit(definition)
const app = await buildService(definition, { ...config, LOG_LEVEL: process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn' })
let code = 0
try {
  await app.ready()
  const { me, from } = await app.users.changeRole({ email }, role as Role, { type: 'system', id: 'cli:user-role' })
  process.stdout.write(`${me.email ?? me.uid}: ${from} → ${me.role} (refresh tokens revoked; the user signs in again to get the new role)\n`)
} catch (err) {
  const e = err as { code?: string; message?: string }
  if (e.code === 'auth/user-not-found') process.stderr.write(`No Firebase user with email ${email}. Sign up first.\n`)
  else process.stderr.write(`Could not change the role: ${e.message ?? String(err)}\n`)
  code = 1
} finally {
  await app.close()
}
process.exit(code)
