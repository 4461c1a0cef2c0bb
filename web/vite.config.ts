// The dev server proxies /api to the gateway (GATEWAY_URL, set by `npm start`), so the browser talks
// to one origin and no CORS is needed. The emulator hosts come from the same environment that
// `npm start` / `npm test` give every service, so the web app signs in against the same Auth emulator.
//
// Both servers send the app's security headers (security-headers.ts, the same definition nginx serves),
// so the browser journeys run under the production Content-Security-Policy. The one difference in dev:
// with HMR on, script-src also allows the React Refresh preamble plugin-react inlines into index.html,
// by its SHA-256 (the journeys run with HMR off, so not even that).
import { defineConfig, loadEnv } from 'vite'
import react from '@vitejs/plugin-react'
import { firebaseTargets } from './src/lib/firebase-targets.ts'
import { documentHeaders } from './security-headers.ts'

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080'
const hmr = process.env.WEB_WATCH !== 'off'

export default defineConfig(({ mode }) => {
  const devEmulators = mode === 'development'
    ? { auth: process.env.FIREBASE_AUTH_EMULATOR_HOST ?? '127.0.0.1:9099', firestore: process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8181' }
    : { auth: '', firestore: '' }
  const env = { ...loadEnv(mode, import.meta.dirname, 'VITE_FIREBASE_'), ...process.env }
  return {
    plugins: [react()],
    // The repo root has an older React (a test tool's); every import of react resolves to the web's own.
    resolve: { dedupe: ['react', 'react-dom'] },
    define: {
      __AUTH_EMULATOR_HOST__: JSON.stringify(devEmulators.auth),
      __FIRESTORE_EMULATOR_HOST__: JSON.stringify(devEmulators.firestore),
    },
    // Pre-bundle every dependency up front: discovering one on first use makes the dev server reload
    // the page, which loses whatever the user (or the e2e test) was doing.
    optimizeDeps: {
      include: [
        'react', 'react-dom/client', 'react/jsx-runtime', 'react/jsx-dev-runtime', 'react-router', '@tanstack/react-query',
        'antd', 'antd/locale/ko_KR', 'antd/locale/en_US', '@ant-design/icons', 'recharts',
        'firebase/app', 'firebase/auth', 'firebase/firestore', 'typebox',
      ],
    },
    server: {
      proxy: { '/api': { target: gateway, changeOrigin: false } },
      headers: documentHeaders({
        firebase: firebaseTargets(env, devEmulators),
        inlineScripts: hmr ? [react.preambleCode.replace('__BASE__', '/')] : [],
      }),
      warmup: { clientFiles: ['./src/main.tsx', './src/pages/**/*.tsx'] },
      // WEB_WATCH=off (the e2e test) serves the tree as it was at start: an edit elsewhere in the
      // repo (say, to packages/contracts) must not reload the page under a running browser test.
      ...(hmr ? {} : { watch: null, hmr: false }),
    },
    // the built app, as nginx serves it (but over http: no HSTS)
    preview: { proxy: { '/api': { target: gateway, changeOrigin: false } }, headers: documentHeaders({ firebase: firebaseTargets(env) }) },
    build: { outDir: 'dist', chunkSizeWarningLimit: 2000 },
  }
})
