// Dependency-free on purpose: the emulators module re-exports it, and scripts/lib/repo.ts (used by
// `npm run seed` and `npm run user:role`, which also run in the production `tools` image where
// @sunbae/testing is not installed) imports this file by path.

/** Environment that keeps firebase-tools (and Google client libraries) off the internet. */
export const OFFLINE_ENV: Readonly<Record<string, string>> = {
  CI: 'true',
  NO_UPDATE_NOTIFIER: '1', // update-notifier (firebase-tools' "update available" check)
  METADATA_SERVER_DETECTION: 'none', // google-auth-library: don't probe the GCE metadata server
  FIREBASE_CLI_EXPERIMENTS: '',
  // firebase-tools has no env switch for usage analytics: it only reports when
  // the user opted in during `firebase login` (configstore "usage" key), which
  // never happens here. CI=true also skips the MOTD fetch.
};
