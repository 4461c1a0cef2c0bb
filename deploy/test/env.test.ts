// Every variable a deployable's config schema requires (no default) is set in docker-compose.yml and
// in every Kubernetes overlay; the schemas are read from the services' own definitions, so a new
// required setting (or a new service) fails here until the deployment sets it.
import t, { type Test } from 'tap'
import { DEMO_SECRETS, loadConfig, natsCredentials, serviceIdentityKeys, type BaseConfig } from '@sunbae/service-kit'
import { identityKey } from '@sunbae/service-kit/identity'
import {
  composeEnv,
  configOf,
  containerEnv,
  kustomizeMissing,
  nodeDeployables,
  OVERLAYS,
  readCompose,
  readText,
  render,
  requiredVariables,
  type Deployable,
  type Env,
} from './lib.ts'

/** Set for the runtime rather than by a service schema (telemetry, Node, Google's client libraries). */
const EXTRA = /^(OTEL_.+|NODE_OPTIONS|METADATA_SERVER_DETECTION|FIREBASE_AUTH_EMULATOR_HOST|FIRESTORE_EMULATOR_HOST|GOOGLE_APPLICATION_CREDENTIALS|HOME)$/

const deployables = await nodeDeployables()
const configs = new Map<string, Awaited<ReturnType<typeof configOf>>>()
for (const d of deployables) configs.set(d.name, await configOf(d))
const services = deployables.filter((d) => d.schema)


function checkEnv(t: Test, where: string, d: Deployable, env: Env, port: number) {
  const def = configs.get(d.name)!
  const known = new Set(Object.keys(def.configSchema.properties))
  for (const v of requiredVariables(def)) t.ok(env.has(v), `${where}: ${d.name} sets ${v} (required by its config schema)`)
  t.equal(env.get('HOST'), '0.0.0.0', `${where}: ${d.name} listens on every interface (the default 127.0.0.1 is unreachable in a container)`)
  t.equal(env.get('PORT'), String(port), `${where}: ${d.name}'s PORT is the port its Service / health check uses`)
  if (d.name === 'chat-bridge') {
    for (const v of ['MONGO_URL', ...[...known].filter((k) => k.startsWith('CHAT_SYNC_'))]) t.ok(env.has(v), `${where}: chat-bridge sets ${v}`)
  }
  if (d.name === 'gateway') {
    for (const s of services) {
      const v = `${s.schema!.toUpperCase()}_URL`
      t.ok(known.has(v), `the gateway's schema knows ${v}`)
      t.equal(env.get(v), `http://${s.name}:${s.port}`, `${where}: the gateway reaches ${s.name} at ${v}`)
    }
  }
  // the values as the process would read them at boot: the schema and the cross-variable rules
  const values: Record<string, string> = {}
  for (const [k, v] of env) values[k] = v ?? SECRET_PLACEHOLDER[k] ?? 'placeholder-from-a-secret-0123456789abcdef'
  try {
    const config = loadConfig(def.configSchema as never, values, def.configDefaults ?? {})
    def.checkConfig?.(config)
    // a service's identity keys, as configOrExit resolves them (production: IDENTITY_KEY only)
    if (d.name !== 'gateway') serviceIdentityKeys(config as BaseConfig, d.name)
    // its NATS user, as configOrExit requires it (production: NATS_NKEY_SEED)
    natsCredentials(config as BaseConfig)
    t.pass(`${where}: ${d.name}'s configuration validates as at boot`)
  } catch (err) {
    t.fail(`${where}: ${d.name}'s configuration validates as at boot`, { error: (err as Error).message })
  }
  return known
}

/** Stand-ins for values that come from secrets (k8s) — shaped as the schemas demand. */
const SECRET_PLACEHOLDER: Record<string, string> = {
  DATABASE_URL: 'postgres://sunbae_x:secret@db.example:5432/sunbae',
  MONGO_URL: 'mongodb://mongo.example:27017',
  SMTP_URL: 'smtp://user:secret@smtp.example:587',
  // an nkey user seed's shape (npm run nats:auth); not a real one
  NATS_NKEY_SEED: `SU${'A'.repeat(56)}`,
  // one of the real providers (the payment test below checks each); its keys get the generic placeholder
  PAYMENT_PROVIDER: 'stripe',
  // the browser SDKs' public keys, in their providers' shapes
  STRIPE_PUBLISHABLE_KEY: 'pk_live_placeholder0123456789',
  TOSS_CLIENT_KEY: 'live_ck_placeholder0123456789',
}

t.test('docker-compose.yml sets what every schema requires', async (t) => {
  const compose = readCompose()
  for (const d of deployables) {
    const svc = compose.services[d.name]
    if (!t.ok(svc, `compose has a service ${d.name}`)) continue
    const env = composeEnv(svc!)
    const known = checkEnv(t, 'compose', d, env, d.port)
    const unknown = [...env.keys()].filter((k) => !known.has(k) && !EXTRA.test(k))
    t.same(unknown, [], `compose: every variable set for ${d.name} is one its schema knows (no typos)`)
    if (d.schema) {
      t.match(env.get('DATABASE_URL') ?? '', new RegExp(`^postgres://sunbae_${d.schema}:`), `compose: ${d.name} logs in as its own role`)
    }
  }
  const setup = compose.services.setup?.environment ?? {}
  for (const s of services) t.ok(`DB_PASSWORD_${s.schema!.toUpperCase()}` in setup, `compose setup sets DB_PASSWORD_${s.schema!.toUpperCase()} (production refuses the dev default)`)
})

for (const overlay of OVERLAYS) {
  t.test(`k8s/overlays/${overlay} sets what every schema requires`, { skip: kustomizeMissing() ?? false }, async (t) => {
    const objs = render(`overlays/${overlay}`)
    const secrets = objs.filter((o) => o.kind === 'Secret')
    for (const d of deployables) {
      const got = containerEnv(objs, d.name)
      if (!t.ok(got, `${overlay}: a Deployment ${d.name}`)) continue
      const known = checkEnv(t, overlay, d, got!.env, got!.port)
      t.equal(got!.port, d.port, `${overlay}: ${d.name}'s container port is its package's port`)
      const unknown = got!.explicit.filter((k) => !known.has(k) && !EXTRA.test(k))
      t.same(unknown, [], `${overlay}: every variable set for ${d.name} is one its schema knows`)
      // local runs the gateway against the Auth emulator and payment with the sandbox provider, both refused in production mode
      const dev = overlay === 'local' && (d.name === 'gateway' || d.name === 'payment')
      t.equal(got!.env.get('NODE_ENV') ?? 'production', dev ? 'development' : 'production', `${overlay}: ${d.name}'s NODE_ENV`)
      // the gateway signs with keys derived from its secret; a service holds only its own key
      if (d.name === 'gateway') t.ok(got!.env.has('IDENTITY_SECRET'), `${overlay}: the gateway has IDENTITY_SECRET`)
      else {
        t.notOk(got!.env.has('IDENTITY_SECRET'), `${overlay}: ${d.name} does not hold the gateway's identity secret`)
        t.ok(got!.env.has('IDENTITY_KEY'), `${overlay}: ${d.name} gets its own IDENTITY_KEY`)
        const secret = containerEnv(objs, 'gateway')?.env.get('IDENTITY_SECRET')
        if (overlay === 'local') t.equal(got!.env.get('IDENTITY_KEY'), identityKey(secret!, d.name), `local: ${d.name}'s key is the one derived from the gateway's secret`)
      }
    }
    if (overlay === 'local') {
      // the generated development secrets hold every key the manifests reference
      const keys = (name: string) => Object.keys(secrets.find((s) => s.metadata.name.startsWith(`${name}-`))?.data ?? {})
      const pg = keys('sunbae-postgres')
      t.ok(pg.includes('ADMIN_URL'), 'local: sunbae-postgres has ADMIN_URL (the migration Job)')
      for (const s of services) {
        const up = s.schema!.toUpperCase()
        t.ok(pg.includes(`DB_PASSWORD_${up}`), `local: sunbae-postgres has DB_PASSWORD_${up}`)
        t.ok(pg.includes(`DATABASE_URL_${up}`), `local: sunbae-postgres has DATABASE_URL_${up}`)
      }
      const refs = JSON.stringify(objs).matchAll(/"secretKeyRef":\{"name":"([^"]+)","key":"([^"]+)"\}|"secretKeyRef":\{"key":"([^"]+)","name":"([^"]+)"\}/g)
      for (const m of refs) {
        const [name, key] = m[1] ? [m[1], m[2]!] : [m[4]!, m[3]!]
        const secret = secrets.find((s) => s.metadata.name === name)
        t.ok(secret && key in (secret.data ?? {}), `local: secret ${name} has the referenced key ${key}`)
      }
    } else {
      t.same(secrets, [], `${overlay}: no Secret is stored in the manifests (they are referenced only)`)
      for (const s of services) {
        const dep = JSON.stringify(objs.find((o) => o.kind === 'Deployment' && o.metadata.name === s.name))
        t.match(dep, `"key":"DATABASE_URL_${s.schema!.toUpperCase()}"`, `${overlay}: ${s.name}'s DATABASE_URL comes from sunbae-postgres`)
      }
    }
  })
}

// Production never pays with the sandbox (`tok_success` would confirm any paid booking and the ledger
// would book earnings never collected): wherever payment runs in production mode its provider is a
// real one, read from the Secret ops create (aws); the sandbox runs only in development mode (compose
// and the local overlay, offline demos).
t.test('payment: a real provider from a Secret in production mode, the sandbox only in development', async (t) => {
  const def = configs.get('payment')!
  const fallback = def.configSchema.properties.PAYMENT_PROVIDER?.default as string | undefined
  const check = (t: Test, where: string, env: Env, fromSecret: boolean) => {
    const mode = env.get('NODE_ENV') ?? 'production'
    const provider = env.has('PAYMENT_PROVIDER') ? env.get('PAYMENT_PROVIDER') : fallback
    if (mode === 'production') {
      t.ok(env.has('PAYMENT_PROVIDER'), `${where}: production mode sets PAYMENT_PROVIDER (the default is ${fallback ?? 'none'})`)
      t.ok(fromSecret ? provider === undefined : provider === 'stripe' || provider === 'toss', `${where}: the provider in production mode is ${fromSecret ? 'read from a Secret' : 'stripe or toss'}, not ${provider}`)
    } else {
      t.equal(provider, 'sandbox', `${where}: development mode pays with the sandbox (offline)`)
    }
  }
  check(t, 'compose', composeEnv(readCompose().services.payment!), false)
  const skip = kustomizeMissing()
  for (const overlay of OVERLAYS) {
    if (skip) {
      t.comment(`k8s/overlays/${overlay}: ${skip}`)
      continue
    }
    const objs = render(`overlays/${overlay}`)
    const env = containerEnv(objs, 'payment')!.env
    type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }
    const dep = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'payment')!
    const vars = (dep.spec as { template: { spec: { containers: { env?: EnvVar[] }[] } } }).template.spec.containers[0]!.env ?? []
    const ref = vars.find((e) => e.name === 'PAYMENT_PROVIDER')?.valueFrom?.secretKeyRef
    t.match(ref?.name, /^sunbae-payment(-[a-z0-9]+)?$/, `${overlay}: PAYMENT_PROVIDER comes from the sunbae-payment Secret`)
    t.equal(ref?.key, 'PAYMENT_PROVIDER', `${overlay}: … its key PAYMENT_PROVIDER`)
    t.notOk(ref?.optional, `${overlay}: … not optional (without it the pod does not start rather than fall back to the sandbox)`)
    check(t, overlay, env, overlay === 'aws')
    if (overlay === 'aws') {
      // what ops may put into the Secret: each real provider with its keys validates as at boot, the sandbox does not
      const boot = (provider: string) => {
        const values: Record<string, string> = {}
        for (const [k, v] of env) values[k] = v ?? SECRET_PLACEHOLDER[k] ?? 'placeholder-from-a-secret-0123456789abcdef'
        values.PAYMENT_PROVIDER = provider
        if (provider !== 'stripe') for (const k of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PUBLISHABLE_KEY']) delete values[k]
        def.checkConfig?.(loadConfig(def.configSchema as never, values, def.configDefaults ?? {}) as never)
      }
      for (const provider of ['stripe', 'toss']) t.doesNotThrow(() => boot(provider), `aws: payment starts with PAYMENT_PROVIDER=${provider} and its keys from the Secret`)
      t.throws(() => boot('sandbox'), /PAYMENT_PROVIDER/, 'aws: payment refuses to start with PAYMENT_PROVIDER=sandbox in the Secret')
    }
  }
})

// Production refuses the secrets the repository publishes (DEMO_SECRETS in the kit). A compose default
// for a *SECRET* variable that the list does not hold would start in production unnoticed.
t.test('every secret docker-compose.yml defaults is a demo value production refuses', async (t) => {
  const defaults = [...readText('docker-compose.yml').matchAll(/\$\{([A-Z0-9_]*SECRET[A-Z0-9_]*):-([^}]+)\}/g)]
  t.ok(defaults.length >= 2, `${defaults.length} secret defaults found (IDENTITY_SECRET, PAYMENT_SANDBOX_WEBHOOK_SECRET at least)`)
  const listed = new Set<string>(Object.values(DEMO_SECRETS))
  for (const [, name, value] of defaults) t.ok(listed.has(value!), `${name}'s compose default is in DEMO_SECRETS`)
})

// Mongo runs with authentication (issue 20, item 7): its root user comes from the environment, and
// chat-bridge's MONGO_URL logs in as that user — in compose (whose demo password production refuses
// inside a URL too) and in the local overlay.
t.test('Mongo has a root user, and chat-bridge logs in as it', async (t) => {
  const s = readCompose().services
  const mongo = composeEnv(s.mongo!)
  const user = mongo.get('MONGO_INITDB_ROOT_USERNAME')
  const password = mongo.get('MONGO_INITDB_ROOT_PASSWORD')
  t.ok(user && password, 'compose: mongo sets MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD')
  t.equal(password, DEMO_SECRETS.composeMongoPassword, "compose: the default password is in DEMO_SECRETS")
  const url = new URL(composeEnv(s['chat-bridge']!).get('MONGO_URL')!)
  t.same([url.username, decodeURIComponent(url.password), url.searchParams.get('authSource')], [user, password, 'admin'], "compose: chat-bridge's MONGO_URL carries them")
  // compose's chat-bridge environment in production mode, its identity from a key of its own
  const { IDENTITY_SECRET: _gatewaySecret, ...env } = Object.fromEntries(composeEnv(s['chat-bridge']!)) as Record<string, string>
  const def = configs.get('chat-bridge')!
  const err = t.throws(() => loadConfig(def.configSchema as never, { ...env, NODE_ENV: 'production', IDENTITY_KEY: 'k'.repeat(43) }, def.configDefaults ?? {})) as Error
  t.match(err?.message, /MONGO_URL: carries a demo password/, 'production refuses the compose URL')
})

t.test('k8s/overlays/local: the in-cluster Mongo has a root user, and chat-bridge logs in as it', { skip: kustomizeMissing() ?? false }, async (t) => {
  const objs = render('overlays/local')
  const set = objs.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'mongo')
  type Container = { envFrom?: { secretRef?: { name: string } }[] }
  const refs = ((set?.spec as { template: { spec: { containers: Container[] } } } | undefined)?.template.spec.containers[0]?.envFrom ?? []).map((e) => e.secretRef?.name)
  const secret = objs.find((o) => o.kind === 'Secret' && refs.includes(o.metadata.name))
  const value = (k: string) => (secret?.data?.[k] === undefined ? undefined : Buffer.from(secret.data[k], 'base64').toString('utf8'))
  const user = value('MONGO_INITDB_ROOT_USERNAME')
  const password = value('MONGO_INITDB_ROOT_PASSWORD')
  t.ok(user && password, "local: mongo's root user comes from a Secret")
  const url = new URL(containerEnv(objs, 'chat-bridge')!.env.get('MONGO_URL')!)
  t.same([url.username, decodeURIComponent(url.password)], [user, password], "local: chat-bridge's MONGO_URL carries them")
})
