// The dev server proxies /api to the gateway (GATEWAY_URL, set by `npm start`), so the browser talks
// to one origin and no CORS is needed. The emulator hosts come from the same environment that
// `npm start` / `npm test` give every service, so the web app signs in against the same Auth emulator.
//
// Both servers send the app's security headers (security-headers.ts, the same definition nginx serves),
// so the browser journeys run under the production Content-Security-Policy. The one difference in dev:
// with HMR on, script-src also allows the React Refresh preamble plugin-react inlines into index.html,
// by its SHA-256 (the journeys run with HMR off, so not even that).
import path from 'node:path'
import { defineConfig, loadEnv } from 'vite'
import react from '@vitejs/plugin-react'
import { compression } from 'vite-plugin-compression2'
import { firebaseTargets } from './src/lib/firebase-targets.ts'
import { documentHeaders } from './security-headers.ts'

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080'
const hmr = process.env.WEB_WATCH !== 'off'

/**
 * /api to the gateway; /sitemap.xml to mentor-catalog's sitemap for the origin the browser came to, as
 * nginx serves it in production.
 */
const proxy = {
  '/api': { target: gateway, changeOrigin: false },
  '/sitemap.xml': {
    target: gateway,
    changeOrigin: false,
    configure: (server: { on(event: 'proxyReq', fn: (req: { path: string }, incoming: { headers: Record<string, string | string[] | undefined> }) => void): void }) =>
      server.on('proxyReq', (req, incoming) => {
        req.path = `/api/mentors/sitemap.xml?origin=${encodeURIComponent(`http://${String(incoming.headers.host ?? 'localhost')}`)}`
      }),
  },
}

/**
 * antd's ConfigProvider imports tooltip/UniqueProvider (and with it @rc-component/trigger) for an option
 * the app never sets (`tooltip.unique`): the build takes src/lib/no-unique-tooltips.tsx instead, for that
 * one import of that one module.
 */
const antdWithoutUniqueTooltips = {
  name: 'antd-without-unique-tooltips',
  apply: 'build' as const,
  enforce: 'pre' as const,
  resolveId(source: string, importer: string | undefined) {
    if (source === '../tooltip/UniqueProvider' && importer && /[\\/]antd[\\/]es[\\/]config-provider[\\/]index\.js$/.test(importer)) {
      return path.join(import.meta.dirname, 'src', 'lib', 'no-unique-tooltips.tsx')
    }
    return null
  },
}

export default defineConfig(({ mode }) => {
  const devEmulators = mode === 'development'
    ? { auth: process.env.FIREBASE_AUTH_EMULATOR_HOST ?? '127.0.0.1:9099', firestore: process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8181' }
    : { auth: '', firestore: '' }
  const env = { ...loadEnv(mode, import.meta.dirname, 'VITE_FIREBASE_'), ...process.env }
  return {
    plugins: [
      react(),
      antdWithoutUniqueTooltips,
      // every text file of the build also as .gz and .br beside it: nginx serves those as they are
      // (gzip_static, brotli_static) instead of compressing each response again. Not for the
      // development-mode build the browser journeys' stack serves through `vite preview`.
      mode === 'production' && compression({ algorithms: ['gzip', 'brotliCompress'], include: /\.(html|js|mjs|css|svg|json|txt|xml)$/, exclude: /[\\/]\.vite[\\/]/, threshold: 1024, logLevel: 'silent' }),
    ],
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
      proxy,
      headers: documentHeaders({
        firebase: firebaseTargets(env, devEmulators),
        inlineScripts: hmr ? [react.preambleCode.replace('__BASE__', '/')] : [],
      }),
      warmup: { clientFiles: ['./src/main.tsx', './src/pages/**/*.tsx'] },
      // WEB_WATCH=off (the e2e test) serves the tree as it was at start: an edit elsewhere in the
      // repo (say, to packages/contracts) must not reload the page under a running browser test.
      ...(hmr ? {} : { watch: null, hmr: false }),
    },
    // the built app, as nginx serves it (but over http: no HSTS); in development mode (the journeys'
    // stack, scripts/start.ts WEB_BUILD_DIR) with the emulators the bundle talks to
    preview: { proxy, headers: documentHeaders({ firebase: firebaseTargets(env, devEmulators) }) },
    build: {
      outDir: 'dist',
      // dist/.vite/manifest.json: which chunks a page loads (web/test/bundle-budget.test.ts, bench/web)
      manifest: true,
      rolldownOptions: {
        // the contracts' TypeBox schemas are declarations: a page that uses only a limit from a module
        // does not need the module's schemas (nor TypeBox's code behind them)
        treeshake: { moduleSideEffects: (id: string) => !/[\\/](typebox|packages[\\/]contracts)[\\/]/.test(id) },
      },
    },
  }
})
