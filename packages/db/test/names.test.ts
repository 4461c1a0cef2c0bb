import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { discoverServices, selectServices, serviceDatabaseUrl, servicePassword, serviceRole } from '../src/index.ts'

t.test('serviceRole', async (t) => {
  t.equal(serviceRole('mentor_catalog'), 'sunbae_mentor_catalog')
  t.throws(() => serviceRole('Bad-Name'), /invalid schema name/)
  t.throws(() => serviceRole('x; drop table y'), /invalid schema name/)
})

t.test('serviceDatabaseUrl keeps server and db, swaps the user', async (t) => {
  const url = new URL(serviceDatabaseUrl('postgres://admin:pw@db.internal:6543/sunbae?sslmode=require', 'payment', 'p@ss/word'))
  t.equal(url.hostname, 'db.internal')
  t.equal(url.port, '6543')
  t.equal(url.pathname, '/sunbae')
  t.equal(url.searchParams.get('sslmode'), 'require')
  t.equal(url.username, 'sunbae_payment')
  t.equal(decodeURIComponent(url.password), 'p@ss/word')
})

t.test('servicePassword: env var, dev default, refused in production', async (t) => {
  t.equal(servicePassword('payment', { DB_PASSWORD_PAYMENT: 's3cret' }), 's3cret')
  t.equal(servicePassword('chat_bridge', {}), 'sunbae-dev')
  t.throws(() => servicePassword('chat_bridge', { NODE_ENV: 'production' }), /DB_PASSWORD_CHAT_BRIDGE is not set/)
  t.equal(servicePassword('chat_bridge', { NODE_ENV: 'production', DB_PASSWORD_CHAT_BRIDGE: 'x' }), 'x')
})

t.test('discoverServices reads services/*/package.json', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'sunbae-discover-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  const write = async (name: string, pkg: unknown) => {
    await mkdir(join(root, 'services', name), { recursive: true })
    await writeFile(join(root, 'services', name, 'package.json'), JSON.stringify(pkg))
  }
  await write('mentor-catalog', { sunbae: { schema: 'mentor_catalog', port: 4001 } })
  await write('chat-bridge', { sunbae: { schema: 'chat_bridge', port: 4005, extensions: ['btree_gist'] } })
  await write('not-a-service', { name: 'x' })
  await mkdir(join(root, 'services', 'empty'), { recursive: true })

  const found = await discoverServices(root)
  t.same(found, [
    { name: 'chat-bridge', schema: 'chat_bridge', port: 4005, dir: join(root, 'services/chat-bridge'), migrationsDir: join(root, 'services/chat-bridge/migrations'), extensions: ['btree_gist'] },
    { name: 'mentor-catalog', schema: 'mentor_catalog', port: 4001, dir: join(root, 'services/mentor-catalog'), migrationsDir: join(root, 'services/mentor-catalog/migrations'), extensions: [] },
  ])
  t.same(selectServices(found, ['mentor_catalog']).map((s) => s.name), ['mentor-catalog'])
  t.throws(() => selectServices(found, ['nope']), /unknown service "nope"; known: chat-bridge, mentor-catalog/)

  await write('bad-ext', { sunbae: { schema: 'bad_ext', port: 4010, extensions: ['x; drop'] } })
  await t.rejects(discoverServices(root), /"sunbae.extensions" must be an array of extension names/)
  await rm(join(root, 'services', 'bad-ext'), { recursive: true })
  await write('dup', { sunbae: { schema: 'chat_bridge', port: 4009 } })
  await t.rejects(discoverServices(root), /both declare schema chat_bridge/)
})

t.test('discoverServices on a root without services/ finds none', async (t) => {
  t.same(await discoverServices(join(tmpdir(), 'does-not-exist-sunbae')), [])
})
