// The domain-wiring helper (a service's plugins/app/<name>.ts) on a bare Fastify: the platform and the
// other plugins it depends on stand in as empty named plugins.
import t from 'tap'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { domainPlugin } from '../src/index.ts'

const configSchema = Type.Object({ GREETING: Type.String() })
/** A config checked against its schema, as a service's is at boot. */
const config = (GREETING: string) => Value.Parse(configSchema, { GREETING })
const platform = fp(async () => {}, { name: 'sunbae-platform' })
const firebase = fp(async () => {}, { name: 'firebase' })

const greeter = domainPlugin<typeof configSchema>('greeter', ['firebase'], (app, config) => {
  app.decorate('greeting', `hello, ${config.GREETING}`)
})

t.test('wires the app from the config app.ts registers it with, for the whole app (routes see its decorations)', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(platform)
  await app.register(firebase)
  await app.register(greeter, { config: config('sunbae') })
  app.get('/', async () => ({ greeting: app.getDecorator<string>('greeting') }))
  t.same((await app.inject({ url: '/' })).json(), { greeting: 'hello, sunbae' })
})

t.test('waits for wiring that is async', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(platform)
  const slow = domainPlugin<typeof configSchema>('slow', [], async (app, config) => {
    await new Promise((resolve) => setImmediate(resolve))
    app.decorate('greeting', config.GREETING)
  })
  await app.register(slow, { config: config('later') })
  await app.ready()
  t.equal(app.getDecorator<string>('greeting'), 'later')
})

t.test('needs the platform and the plugins it names, registered before it', async (t) => {
  const noPlatform = Fastify()
  t.teardown(() => noPlatform.close())
  await noPlatform.register(firebase)
  await t.rejects(async () => {
    await noPlatform.register(greeter, { config: config('x') })
  }, /sunbae-platform/)

  const noFirebase = Fastify()
  t.teardown(() => noFirebase.close())
  await noFirebase.register(platform)
  await t.rejects(async () => {
    await noFirebase.register(greeter, { config: config('x') })
  }, /firebase/)
})
