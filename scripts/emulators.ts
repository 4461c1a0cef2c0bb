// `npm run emulators` — runs the Firebase Auth and Firestore emulators in the
// foreground, prints the environment to export, stops them on Ctrl-C.
//
//   npm run emulators                 # both
//   npm run emulators -- --only auth  # just one (auth | firestore)
//   npm run emulators -- --print-env  # start, print `export` lines only (for eval), keep running
//   npm run emulators -- --data .run/emulators/data   # keep their data there (as npm start does):
//                                     # imported at start, saved on Ctrl-C/SIGTERM and every 60 s
//   --auth-port N --firestore-port N  # other ports than deploy/firebase/firebase.json's
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeStatus, REPO_ROOT, startEmulators } from '@sunbae/testing/emulators';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'log-dir': { type: 'string' },
    'print-env': { type: 'boolean', default: false },
    data: { type: 'string' },
    'export-every': { type: 'string' },
    'auth-port': { type: 'string' },
    'firestore-port': { type: 'string' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'usage: npm run emulators [-- --only auth|firestore] [--log-dir DIR] [--print-env]\n' +
    '                          [--data DIR [--export-every SECONDS]] [--auth-port N] [--firestore-port N]\n' +
    '                          [--timeout SECONDS (to wait for each emulator, default 60)]\n' +
    'Starts the Firebase Auth (firebase-tools) and Firestore (gcloud jar) emulators\n' +
    'for project demo-sunbae, reusing any already running; Ctrl-C stops the ones it started.\n' +
    'With --data, their data is imported from DIR at start and saved there on Ctrl-C/SIGTERM/SIGHUP\n' +
    'and every SECONDS (default 60, 0 = only at stop).\n',
  );
  process.exit(0);
}

const only = values.only?.split(',').map((s) => s.trim());
if (only && only.some((n) => n !== 'auth' && n !== 'firestore')) {
  process.stderr.write(`--only takes auth and/or firestore, got ${values.only}\n`);
  process.exit(2);
}
const logDir = path.resolve(values['log-dir'] ?? path.join(REPO_ROOT, '.run', 'emulators'));
const port = (name: 'auth-port' | 'firestore-port'): number | undefined => {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    process.stderr.write(`--${name} takes a port number, got ${raw}\n`);
    process.exit(2);
  }
  return n;
};
const exportEvery = Number(values['export-every'] ?? 60);
if (!Number.isFinite(exportEvery) || exportEvery < 0) {
  process.stderr.write(`--export-every takes seconds (0 or more), got ${values['export-every']}\n`);
  process.exit(2);
}
const timeoutS = Number(values.timeout ?? 60);
if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
  process.stderr.write(`--timeout takes seconds, got ${values.timeout}\n`);
  process.exit(2);
}
const authPort = port('auth-port');
const firestorePort = port('firestore-port');

let emu: Awaited<ReturnType<typeof startEmulators>>;
try {
  emu = await startEmulators({
    auth: !only || only.includes('auth'),
    firestore: !only || only.includes('firestore'),
    logDir,
    timeoutMs: timeoutS * 1000,
    ...(authPort ? { authPort } : {}),
    ...(firestorePort ? { firestorePort } : {}),
    ...(values.data ? { dataDir: path.resolve(process.env.INIT_CWD ?? process.cwd(), values.data), exportEveryMs: exportEvery * 1000 } : {}),
  });
} catch (err) {
  process.stderr.write(`\n${(err as Error).message}\n`);
  process.exit(1);
}

for (const line of describeStatus(emu.status)) process.stderr.write(`${line}\n`);
if (!values['print-env']) process.stdout.write('\nExport in your shell:\n');
for (const [k, v] of Object.entries(emu.env)) {
  if (v !== undefined) process.stdout.write(`export ${k}=${v}\n`);
}
if (!emu.firestoreAvailable && emu.firestoreReason) {
  process.stderr.write(`\nFirestore emulator unavailable: ${emu.firestoreReason}. Firestore-backed features will not work.\n`);
}

const started = emu.status.filter((s) => s.state === 'started');
if (started.length === 0) {
  process.stderr.write('\nNothing was started here (all requested emulators were already running); exiting.\n');
  process.exit(0);
}
process.stderr.write(`\nRunning. Logs in ${path.relative(process.cwd(), logDir) || logDir}. Press Ctrl-C to stop.\n`);

let stopping = false;
const shutdown = async (why: string, code: number) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n${why}: stopping emulators …\n`);
  await emu.stop();
  process.stderr.write('stopped.\n');
  process.exit(code);
};
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
process.on('SIGHUP', () => void shutdown('SIGHUP', 0));
void emu.exited.then((e) =>
  shutdown(`${e.name} emulator exited on its own (code ${e.code}, signal ${e.signal}); see ${logDir}`, 1));
// keep the event loop alive
setInterval(() => {}, 1 << 30);
