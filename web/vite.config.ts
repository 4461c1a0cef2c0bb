// The dev server proxies /api to the gateway (GATEWAY_URL, set by `npm start`), so the browser talks
// to one origin and no CORS is needed. The emulator hosts come from the same environment that
// `npm start` / `npm test` give every service, so the web app signs in against the same Auth emulator.
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080'

export default defineConfig(({ mode }) => ({
  plugins: [react()],
  // The repo root has an older React (a test tool's); every import of react resolves to the web's own.
  resolve: { dedupe: ['react', 'react-dom'] },
  define: {
    __AUTH_EMULATOR_HOST__: JSON.stringify(mode === 'development' ? (process.env.FIREBASE_AUTH_EMULATOR_HOST ?? '127.0.0.1:9099') : ''),
    __FIRESTORE_EMULATOR_HOST__: JSON.stringify(mode === 'development' ? (process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8181') : ''),
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
    warmup: { clientFiles: ['./src/main.tsx', './src/pages/**/*.tsx'] },
    // WEB_WATCH=off (the e2e test) serves the tree as it was at start: an edit elsewhere in the
    // repo (say, to packages/contracts) must not reload the page under a running browser test.
    ...(process.env.WEB_WATCH === 'off' ? { watch: null, hmr: false } : {}),
  },
  preview: { proxy: { '/api': { target: gateway, changeOrigin: false } } },
  build: { outDir: 'dist', chunkSizeWarningLimit: 2000 },
}))
