// `npm test` — the whole test suite against real Postgres, NATS and the
// Firebase emulators.
//
//   npm test                                   # everything
//   npm test -- services/matching/test         # one folder (or file); relative to where you are or the repo root
//   npm test -- --grep=accept -R terse         # any other argument goes to tap
//
// Steps: check Postgres + NATS (fail fast, saying how to start them) → start
// the Auth/Firestore emulators that are not running yet (stopped again at the
// end) while `npm run db:setup` and `npm run migrate` prepare the test
// database → tap over every test folder → print what was skipped and, as the
// very last line, `N passed, N failed` (tap assertions). Exit code 0 only when
// nothing failed.
//
// Environment: TEST_DATABASE_URL (admin URL of the test database, default
// postgres://postgres@127.0.0.1:5432/sunbae_test), NATS_URL, SLOW_QUERY_MS,
// MONGO_URL (optional), FIRESTORE_EMULATOR_DIR.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeStatus, OFFLINE_ENV, REPO_ROOT, startEmulators } from '@sunbae/testing/emulators';
import type { Emulators } from '@sunbae/testing/emulators';
import { checkNats, checkPostgres } from './lib/infra.ts';
import { resultLine, TapCounter } from './lib/tap-summary.ts';
import type { TapSummary } from './lib/tap-summary.ts';
import { findTestFiles, reporterArg, splitArgs, testFilesIn } from './lib/test-files.ts';
import { findNatsServer, startPrivateNats, type PrivateNats } from '@sunbae/testing/nats-server';

const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/sunbae_test';
const RUN_DIR = path.join(REPO_ROOT, '.run');

const NO_INTERNET_ENV: Record<string, string> = {
  ...OFFLINE_ENV,
  TURBO_TELEMETRY_DISABLED: '1',
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
};

const say = (msg = '') => process.stdout.write(`${msg}\n`);
const note = (msg: string) => process.stdout.write(`[test] ${msg}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const timings: [string, number][] = [];
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([label, Date.now() - t0]);
  }
}

let emulators: Emulators | null = null;
let privateNats: PrivateNats | null = null;
let tapChild: ReturnType<typeof spawn> | null = null;

/** Prints the closing lines and exits; the result line is always last. */
async function finish(summary: Pick<TapSummary, 'passed' | 'failed'>, code: number, skippedNotes: string[] = []): Promise<never> {
  if (interrupted) {
    say('');
    say(`Interrupted by ${interrupted}: the results are incomplete.`);
    summary = { passed: summary.passed, failed: Math.max(summary.failed, 1) };
    code = 130;
  }
  if (privateNats) await timed('stop nats', () => privateNats!.stop());
  if (emulators) {
    const started = emulators.status.filter((s) => s.state === 'started').length;
    if (started) await timed('stop emulators', () => emulators!.stop());
  }
  if (skippedNotes.length) {
    say('');
    say('Skipped:');
    for (const s of skippedNotes) say(`  ${s}`);
  }
  say('');
  say(`timings: ${timings.map(([l, ms]) => `${l} ${secs(ms)}`).join(', ')}`);
  say(resultLine(summary));
  process.exit(code);
}

async function abort(message: string): Promise<never> {
  say('');
  say(message);
  return finish({ passed: 0, failed: 1 }, 1);
}

// Ctrl-C / SIGTERM: stop the child at work (tap or an npm script); the normal
// path then stops the emulators and reports. A second signal exits at once.
let interrupted: NodeJS.Signals | null = null;
let currentChild: ReturnType<typeof spawn> | null = null;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (interrupted) {
      process.stderr.write(`\n[test] ${sig} again: stopping emulators and exiting now\n`);
      void (emulators?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
      return;
    }
    interrupted = sig;
    process.stderr.write(`\n[test] ${sig}: stopping the run …\n`);
    tapChild?.kill('SIGTERM');
    currentChild?.kill('SIGTERM');
  });
}

/** tap's CLI entry (its package.json "bin"), or null when tap is missing. */
function resolveTapBin(): string | null {
  const dir = path.join(REPO_ROOT, 'node_modules', 'tap');
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
    const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.tap;
    return rel && fs.existsSync(path.join(dir, rel)) ? path.join(dir, rel) : null;
  } catch {
    return null;
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: 'inherit' });
    currentChild = child;
    child.on('exit', () => (currentChild = null));
    child.on('error', (err) => {
      process.stderr.write(`[test] cannot run ${cmd}: ${err.message}\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

// ---------------------------------------------------------------------------

const tStart = Date.now();
const databaseUrl = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
// one private NATS store per test database: runs against different databases (parallel work in one
// checkout) must not stop each other's server; a stale server of the same database is stopped.
const natsDirSuffix = (new URL(databaseUrl).pathname.slice(1) || 'default').replace(/[^\w-]/g, '_');
let natsUrl = process.env.TEST_NATS_URL || process.env.NATS_URL || 'nats://127.0.0.1:4222';
const { selection, tapArgs } = splitArgs(process.argv.slice(2), REPO_ROOT, process.env.INIT_CWD || process.cwd());

// 1. Postgres and NATS must be there.
const [pg, nats] = await timed('infra check', () => Promise.all([checkPostgres(databaseUrl), checkNats(natsUrl)]));
if (!pg.ok || !nats.ok) {
  await abort(['Test run aborted: infrastructure missing.', ...(!pg.ok ? [pg.message] : []), ...(!nats.ok ? [nats.message] : [])].join('\n\n'));
}
note(pg.ok ? pg.detail : '');
note(nats.ok ? nats.detail : '');

// Tests get a NATS of their own when this machine has the binary: nothing shared with a running
// stack, no streams left over from earlier runs.
const natsBinary = process.env.TEST_NATS_URL ? null : findNatsServer();
if (natsBinary) {
  try {
    privateNats = await timed('private nats', () => startPrivateNats(natsBinary, path.join(RUN_DIR, 'test', `nats-${natsDirSuffix}`)));
    natsUrl = privateNats.url;
    note(`private NATS with JetStream for this run at ${natsUrl}`);
  } catch (err) {
    note(`could not start a private NATS (${(err as Error).message}); using ${natsUrl}`);
  }
}

// 2. Which tests?
const discovered = findTestFiles(REPO_ROOT);
const files = selection.length
  ? selection.flatMap((s) => (fs.statSync(path.join(REPO_ROOT, s)).isDirectory() ? testFilesIn(REPO_ROOT, s) : [s]))
  : discovered.files;
if (selection.length) note(`selected: ${selection.join(' ')} (${files.length} test file(s))`);
else note(`${files.length} test file(s) in ${discovered.dirs.length} test folder(s)`);

// 3. Emulators (in the background) while the database is prepared.
const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  ...NO_INTERNET_ENV,
  // the Node running this script first on PATH, for npm scripts and tap's workers
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
  NODE_ENV: 'test',
  DATABASE_URL: databaseUrl,
  TEST_DATABASE_URL: databaseUrl,
  NATS_URL: natsUrl,
  SLOW_QUERY_MS: process.env.SLOW_QUERY_MS || '200',
};

const emuPromise = files.length === 0
  ? Promise.resolve(null)
  : timed('emulators', () => startEmulators({ auth: true, firestore: true, logDir: path.join(RUN_DIR, 'emulators'), log: note }))
    .then((e) => (emulators = e), (err: unknown) => err as Error);

// db:setup (database, per-service roles and schemas), then migrate, as the admin URL.
for (const script of ['db:setup', 'migrate'] as const) {
  note(`npm run ${script}  (DATABASE_URL=${databaseUrl})`);
  const code = await timed(script, () => run('npm', ['run', '--silent', script], baseEnv));
  if (code !== 0) {
    const emu = await emuPromise;
    if (emu && !(emu instanceof Error)) emulators = emu;
    await abort(`Test run aborted: \`npm run ${script}\` failed (exit code ${code}); see its output above.`);
  }
}

const emuResult = await emuPromise;
if (emuResult instanceof Error) {
  await abort(`Test run aborted: the Firebase emulators did not start.\n${emuResult.message}`);
}
const emu = emuResult as Emulators | null;
const skippedNotes: string[] = [];
const testEnv: NodeJS.ProcessEnv = { ...baseEnv };
if (emu) {
  for (const line of describeStatus(emu.status)) note(line);
  Object.assign(testEnv, emu.env);
  if (!emu.firestoreAvailable) {
    delete testEnv.FIRESTORE_EMULATOR_HOST;
    testEnv.SUNBAE_FIRESTORE_UNAVAILABLE = emu.firestoreReason ?? 'unavailable';
    skippedNotes.push(`Firestore emulator unavailable: Firestore tests skipped (${emu.firestoreReason})`);
  }
}

if (interrupted) await finish({ passed: 0, failed: 1 }, 130, skippedNotes);
if (files.length === 0) {
  note(selection.length ? 'no *.test.ts files in the selection' : 'no *.test.ts files in any test folder');
  await finish({ passed: 0, failed: 0 }, 0, skippedNotes);
}

// 4. tap. With tap's raw TAP reporter (the default when stdout is not a
// terminal) the stream is echoed and counted as it goes; with any other
// reporter tap also writes the raw TAP to a file that is counted afterwards.
const tapBin = resolveTapBin();
if (!tapBin) await abort('Test run aborted: tap is not installed; run `npm ci` first.');
const reporter = reporterArg(tapArgs) ?? (process.stdout.isTTY ? 'base' : 'tap');
const piped = reporter === 'tap';
const tapOut = path.join(RUN_DIR, 'test', 'tap-output.tap');
fs.mkdirSync(path.dirname(tapOut), { recursive: true });
fs.rmSync(tapOut, { force: true });
const args = [tapBin!, ...tapArgs];
if (!reporterArg(tapArgs)) args.push(`--reporter=${reporter}`);
if (!piped) args.push(`--output-file=${tapOut}`);
args.push(...files);

const counter = new TapCounter();
const tapCode = await timed('tap', () => new Promise<number>((resolve) => {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: testEnv,
    stdio: ['inherit', piped ? 'pipe' : 'inherit', 'inherit'],
  });
  tapChild = child;
  if (piped) {
    const out = fs.createWriteStream(tapOut);
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      out.write(chunk);
      counter.write(chunk);
    });
    child.stdout!.on('end', () => out.end());
  }
  child.on('error', (err) => {
    process.stderr.write(`[test] cannot run tap: ${err.message}\n`);
    resolve(127);
  });
  child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
}));
tapChild = null;
if (!piped) {
  try {
    counter.write(fs.readFileSync(tapOut));
  } catch {
    note(`tap wrote no output file (${path.relative(REPO_ROOT, tapOut)})`);
  }
}
const summary = await counter.end();

// 5. Report.
say('');
if (summary.skips.length) {
  const reasons = new Map<string, string[]>();
  for (const s of summary.skips) reasons.set(s.reason, [...(reasons.get(s.reason) ?? []), s.name]);
  for (const [reason, names] of reasons) {
    const shown = names.slice(0, 5).join('; ');
    skippedNotes.push(`${names.length} test point(s) skipped — ${reason}: ${shown}${names.length > 5 ? `; … ${names.length - 5} more` : ''}`);
  }
}
if (summary.todo) skippedNotes.push(`${summary.todo} todo test point(s)`);
if (summary.failures.length) {
  say('Failed:');
  for (const f of summary.failures.slice(0, 40)) say(`  ✖ ${f}`);
  if (summary.failures.length > 40) say(`  … ${summary.failures.length - 40} more`);
}
if (summary.bailout) say(`tap bailed out: ${summary.bailout}`);
let failed = summary.failed;
if (tapCode !== 0 && failed === 0) {
  // tap failed without a failing test point (bad option, coverage, bail out …): still a failure.
  say(`tap exited with code ${tapCode} although no test point failed; counting it as a failure.`);
  failed = 1;
}
note(`raw TAP of this run: ${path.relative(REPO_ROOT, tapOut)}; total ${secs(Date.now() - tStart)}`);
await finish({ passed: summary.passed, failed }, failed > 0 ? 1 : 0, skippedNotes);
