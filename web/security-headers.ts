// The web app's security headers, defined once: nginx in the web image serves them (the snippet
// deploy/nginx/security-headers.conf is rendered from here, at image build time from the build's own
// VITE_FIREBASE_* values), the dev server the browser journeys run against sends the same policy
// (vite.config.ts), and the tests compare both with this definition.
//
//   node web/security-headers.ts > deploy/nginx/security-headers.conf   # the snippet for this environment's VITE_FIREBASE_*
import { createHash } from 'node:crypto'
import { firebaseTargets, type FirebaseEnv, type FirebaseTargets } from './src/lib/firebase-targets.ts'

/** RFC 6797: two years, subdomains too. Sent only over HTTPS (nginx: when the load balancer says so). */
export const HSTS = 'max-age=63072000; includeSubDomains'

/** The Google endpoints the Firebase web SDK calls when it is not pointed at the emulators. */
export const FIREBASE_ORIGINS = {
  auth: ['https://identitytoolkit.googleapis.com', 'https://securetoken.googleapis.com'],
  firestore: ['https://firestore.googleapis.com'],
} as const

/**
 * What the pay page's payment SDKs load, frame and call (the web is built without knowing which
 * providers payment enables: it reads them at run time, so both are always allowed).
 * - Stripe.js (docs.stripe.com/security/guide, Content Security Policy): the script from js.stripe.com,
 *   its Elements frames from js.stripe.com, 3-D Secure frames from hooks.stripe.com, calls to api.stripe.com
 *   (the Address Element's maps.googleapis.com is not used here).
 * - Toss Payments SDK v2: the script from js.tosspayments.com (loadTossPayments); the payment-method,
 *   agreement and payment-window frames and the SDK's calls go to tosspayments.com's own subdomains.
 */
export const PAYMENT_SDK_ORIGINS = {
  script: ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://js.tosspayments.com'],
  frame: ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com', 'https://*.tosspayments.com'],
  connect: ['https://api.stripe.com', 'https://*.tosspayments.com'],
} as const

/** The script the Auth SDK loads for a Google popup sign-in (gapi's iframe channel to the authDomain). */
export const GOOGLE_SIGN_IN_SCRIPT = 'https://apis.google.com'

export interface PolicyOptions {
  firebase: FirebaseTargets
  /**
   * Inline scripts a server injects into index.html (the dev server's React Refresh preamble), allowed
   * by their SHA-256 only. A production build has none: its index.html loads one hashed file.
   */
  inlineScripts?: string[]
}

export type Directives = Record<string, string[]>

const hash = (script: string) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`

/**
 * The Content-Security-Policy's directives.
 * - script-src 'self': only the app's own files, and the payment SDKs' (PAYMENT_SDK_ORIGINS). Google sign-in (a real project, no emulator) adds
 *   apis.google.com, without which the Auth SDK cannot open its popup channel; the dev server adds the
 *   hash of the inline preamble it injects (only while HMR is on).
 * - style-src 'unsafe-inline': antd 6 styles components with CSS-in-JS, inserting <style> elements at run
 *   time; a nonce would need a per-response value, which a static nginx cannot give. Styles cannot run
 *   code, and script-src stays strict.
 * - connect-src: the API on the page's own origin (/api, nginx or the dev server proxies it) and the
 *   Firebase origins the app is built for: Google's Identity Toolkit, Secure Token and Firestore
 *   (WebChannel long-polling is plain HTTPS to firestore.googleapis.com), or the emulators' origins; and
 *   the payment providers' APIs their SDKs call.
 * - frame-src: the payment SDKs' frames (card fields, 3-D Secure, Toss' widget and payment window), and
 *   Google sign-in's.
 * - img-src data:: the page's icon is `data:,` and antd draws a few images (empty states) as data: URIs.
 * - frame-ancestors 'none' (no clickjacking), object-src 'none', base-uri 'self', form-action 'self'.
 */
export function cspDirectives({ firebase, inlineScripts = [] }: PolicyOptions): Directives {
  const connect = ["'self'"]
  if (firebase.authEmulatorHost) connect.push(`http://${firebase.authEmulatorHost}`)
  else connect.push(...FIREBASE_ORIGINS.auth)
  if (firebase.firestoreEmulatorHost) connect.push(`http://${firebase.firestoreEmulatorHost}`)
  else connect.push(...FIREBASE_ORIGINS.firestore)
  connect.push(...PAYMENT_SDK_ORIGINS.connect)
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'", ...inlineScripts.map(hash), ...(firebase.googleSignIn ? [GOOGLE_SIGN_IN_SCRIPT] : []), ...PAYMENT_SDK_ORIGINS.script],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': [...new Set(connect)],
    // Google sign-in's hidden iframe and popup live on the project's authDomain; the payment SDKs' frames
    'frame-src': [...(firebase.googleSignIn ? [`https://${firebase.authDomain}`] : []), ...PAYMENT_SDK_ORIGINS.frame],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  }
}

export const renderPolicy = (d: Directives): string =>
  Object.entries(d)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ')

/** The parsed header, for tests: directive → sources. */
export function parsePolicy(header: string): Directives {
  const out: Directives = {}
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) out[name.toLowerCase()] = values
  }
  return out
}

export const contentSecurityPolicy = (o: PolicyOptions): string => renderPolicy(cspDirectives(o))

/** Headers every document and file of the app carries, production and dev alike (not HSTS). */
export function documentHeaders(o: PolicyOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(o),
    'X-Content-Type-Options': 'nosniff',
    // for browsers without frame-ancestors
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    // the video room (issue 23) uses the camera, the microphone and screen sharing on the app's own
    // origin; no frame of another origin gets them, and nothing gets the location
    'Permissions-Policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=()',
    // a Google sign-in popup must still be able to answer its opener
    'Cross-Origin-Opener-Policy': 'same-origin-allow-popups',
  }
}

/**
 * nginx's `add_header` lines (included by every location of deploy/nginx/nginx.conf that sets
 * headers: nginx does not inherit add_header into a block that sets any). HSTS is `$hsts`, which
 * nginx.conf maps to HSTS when the request came over HTTPS and to nothing otherwise (an empty value
 * is not sent).
 */
export function nginxSnippet(env: FirebaseEnv): string {
  const firebase = firebaseTargets(env)
  const lines = [
    '# Generated by `node web/security-headers.ts` from web/security-headers.ts (one definition for nginx,',
    '# the dev server and the tests); deploy/web.Dockerfile renders it again with the build\'s VITE_FIREBASE_*.',
    `# Firebase: ${firebase.authEmulatorHost || firebase.firestoreEmulatorHost ? 'emulators' : 'Google'}; Google sign-in ${firebase.googleSignIn ? 'on' : 'off'}.`,
  ]
  for (const [name, value] of Object.entries(documentHeaders({ firebase }))) lines.push(`add_header ${name} "${value}" always;`)
  lines.push('add_header Strict-Transport-Security $hsts always;')
  return `${lines.join('\n')}\n`
}

if (import.meta.main) process.stdout.write(nginxSnippet(process.env))
