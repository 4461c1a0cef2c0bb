// web/security-headers.ts: the policy for each way the app is built (Google's Firebase, the emulators,
// Google sign-in on), the nginx snippet rendered from it, and the dev server (vite.config.ts) sending it.
import t from 'tap'
import { createHash } from 'node:crypto'
import react from '@vitejs/plugin-react'
import type { UserConfig } from 'vite'
import { contentSecurityPolicy, cspDirectives, documentHeaders, GOOGLE_SIGN_IN_SCRIPT, nginxSnippet, parsePolicy, PAYMENT_SDK_ORIGINS } from '../security-headers.ts'

// the payment SDKs' origins (Stripe.js, the Toss Payments SDK), allowed in every build: the pay page's forms
const PAY = PAYMENT_SDK_ORIGINS
import { firebaseTargets } from '../src/lib/firebase-targets.ts'

t.test('production (a build for Google\'s Firebase): script-src \'self\' and the payment SDKs, connect-src the API, Firebase and the payment APIs', async (t) => {
  const d = cspDirectives({ firebase: firebaseTargets({}) })
  t.same(d['script-src'], ["'self'", 'https://js.stripe.com', 'https://*.js.stripe.com', 'https://js.tosspayments.com'])
  t.same(d['connect-src'], ["'self'", 'https://identitytoolkit.googleapis.com', 'https://securetoken.googleapis.com', 'https://firestore.googleapis.com', 'https://api.stripe.com', 'https://*.tosspayments.com'])
  t.same(d['frame-ancestors'], ["'none'"])
  t.same(d['object-src'], ["'none'"])
  t.same(d['base-uri'], ["'self'"])
  t.same(d['form-action'], ["'self'"])
  t.same(d['frame-src'], ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com', 'https://*.tosspayments.com'], "only the payment SDKs' frames (Stripe's fields and 3-D Secure, Toss' widget)")
  const header = contentSecurityPolicy({ firebase: firebaseTargets({}) })
  t.notMatch(header, /unsafe-eval/)
  t.same(parsePolicy(header), d, 'the header parses back to its directives')
})

t.test('a build for the emulators (compose) connects to their origins and not to Google', async (t) => {
  const firebase = firebaseTargets({ VITE_FIREBASE_PROJECT_ID: 'demo-sunbae', VITE_FIREBASE_AUTH_EMULATOR_HOST: 'localhost:9099', VITE_FIREBASE_FIRESTORE_EMULATOR_HOST: 'localhost:8181' })
  const d = cspDirectives({ firebase })
  t.same(d['connect-src'], ["'self'", 'http://localhost:9099', 'http://localhost:8181', ...PAY.connect])
  t.same(d['script-src'], ["'self'", ...PAY.script])
  // the dev server's hosts come from its environment; a VITE_ variable wins, as in the app
  t.same(cspDirectives({ firebase: firebaseTargets({}, { auth: '127.0.0.1:9099', firestore: '127.0.0.1:8181' }) })['connect-src'],
    ["'self'", 'http://127.0.0.1:9099', 'http://127.0.0.1:8181', ...PAY.connect])
})

t.test('Google sign-in (a real project) adds only what its popup needs', async (t) => {
  const firebase = firebaseTargets({ VITE_FIREBASE_PROJECT_ID: 'sunbae-prod', VITE_FIREBASE_API_KEY: 'k', VITE_FIREBASE_AUTH_DOMAIN: 'auth.sunbae.example' })
  t.ok(firebase.googleSignIn)
  const d = cspDirectives({ firebase })
  t.same(d['script-src'], ["'self'", GOOGLE_SIGN_IN_SCRIPT, ...PAY.script])
  t.same(d['frame-src'], ['https://auth.sunbae.example', ...PAY.frame])
  t.notOk(firebaseTargets({ VITE_FIREBASE_PROJECT_ID: 'sunbae-prod', VITE_FIREBASE_AUTH_EMULATOR_HOST: 'localhost:9099' }).googleSignIn, 'not against the emulator')
})

t.test('an inline script is allowed by its hash, never by \'unsafe-inline\'', async (t) => {
  const script = 'window.x = 1'
  const d = cspDirectives({ firebase: firebaseTargets({}), inlineScripts: [script] })
  t.same(d['script-src'], ["'self'", `'sha256-${createHash('sha256').update(script).digest('base64')}'`, ...PAY.script])
})

t.test('the nginx snippet carries every document header and HSTS through nginx\'s $hsts', async (t) => {
  const env = { VITE_FIREBASE_AUTH_EMULATOR_HOST: 'localhost:9099', VITE_FIREBASE_FIRESTORE_EMULATOR_HOST: 'localhost:8181' }
  const snippet = nginxSnippet(env)
  const lines = snippet.split('\n').filter((l) => l.startsWith('add_header'))
  const headers = documentHeaders({ firebase: firebaseTargets(env) })
  t.same(lines, [...Object.entries(headers).map(([k, v]) => `add_header ${k} "${v}" always;`), 'add_header Strict-Transport-Security $hsts always;'])
  t.notMatch(snippet, /\$(?!hsts)/, 'no other nginx variable in a value')
  for (const v of Object.values(headers)) t.notMatch(v, /"/, 'no quote inside a value')
})

t.test('the dev server sends the same policy (plus the React Refresh preamble\'s hash while HMR is on)', async (t) => {
  const env = process.env
  t.teardown(() => {
    process.env = env
  })
  const load = async (watch: string) => {
    process.env = { ...env, WEB_WATCH: watch, FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099', FIRESTORE_EMULATOR_HOST: '127.0.0.1:8181' }
    for (const k of Object.keys(process.env)) if (k.startsWith('VITE_FIREBASE_')) delete process.env[k]
    const config = (await import(`../vite.config.ts?watch=${watch}`)).default as (e: { mode: string; command: 'serve' }) => UserConfig
    return config({ mode: 'development', command: 'serve' })
  }
  const emulators = firebaseTargets({}, { auth: '127.0.0.1:9099', firestore: '127.0.0.1:8181' })

  const journeys = await load('off') // what the browser journeys run
  t.same(journeys.server?.headers, documentHeaders({ firebase: emulators }))
  t.same(parsePolicy(String(journeys.server?.headers?.['Content-Security-Policy']))['script-src'], ["'self'", ...PAY.script])
  t.notOk(journeys.server?.headers?.['Strict-Transport-Security'], 'no HSTS over http')

  const developer = await load('on')
  t.same(developer.server?.headers, documentHeaders({ firebase: emulators, inlineScripts: [react.preambleCode.replace('__BASE__', '/')] }))
  // the journeys' stack serves a development-mode build with vite preview (scripts/start.ts WEB_BUILD_DIR)
  t.same(journeys.preview?.headers, documentHeaders({ firebase: emulators }), "vite preview of the journeys' build: the policy with the emulators")
  t.notOk(journeys.preview?.headers?.['Strict-Transport-Security'], 'no HSTS over http')
  process.env = { ...env }
  for (const k of Object.keys(process.env)) if (k.startsWith('VITE_FIREBASE_')) delete process.env[k]
  const mode = 'production'
  const production = ((await import(`../vite.config.ts?mode=${mode}`)).default as (e: { mode: string; command: 'serve' }) => UserConfig)({ mode: 'production', command: 'serve' })
  t.same(production.preview?.headers, documentHeaders({ firebase: firebaseTargets({}) }), 'vite preview of a production build: the production policy')
})
