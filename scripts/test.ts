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
// database and, when the selection holds browser journeys (web/test/e2e), the
// one stack they share starts (scripts/lib/e2e-stack.ts) → tap over every
// test folder → print what was skipped and, as the very last line,
// `N passed, N failed` (tap assertions). Exit code 0 only when nothing failed.
//
// Environment: TEST_DATABASE_URL (admin URL of the test database, default
// postgres://postgres@127.0.0.1:5432/sunbae_test), NATS_URL, SLOW_QUERY_MS,
// MONGO_URL (optional), FIRESTORE_EMULATOR_DIR.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeStatus, emulatorPorts, OFFLINE_ENV, REPO_ROOT, startEmulators } from '@sunbae/testing/emulators';
import { freePort } from '@sunbae/testing/processes';
import type { Emulators } from '@sunbae/testing/emulators';
import { checkNats, checkPostgres, portFree } from './lib/infra.ts';
import { resultLine, TapCounter } from './lib/tap-summary.ts';
import { fileTimes, planBatches, readDurations, type Durations } from './lib/schedule.ts';
import type { TapSummary } from './lib/tap-summary.ts';
import { findTestFiles, inJourneyLane, isBrowserJourney, reporterArg, splitArgs, testFilesIn } from './lib/test-files.ts';
import { E2E_ENV, startE2eStack, type E2eHandoff, type E2eStack } from './lib/e2e-stack.ts';
import { chromiumPath } from '@sunbae/testing/chromium';
import { findNatsServer, startPrivateNats, type PrivateNats } from '@sunbae/testing/nats-server';
import { templatePrefix } from '@sunbae/testing/isolation';
import { databaseName, dropDatabase, listDatabases, withDatabase } from '@sunbae/db';

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
let e2eStarting: Promise<unknown> | null = null;
let e2eStack: E2eStack | null = null;
const tapChildren = new Set<ReturnType<typeof spawn>>();

/** Prints the closing lines and exits; the result line is always last. */
async function finish(summary: Pick<TapSummary, 'passed' | 'failed'>, code: number, skippedNotes: string[] = []): Promise<never> {
  if (interrupted) {
    say('');
    say(`Interrupted by ${interrupted}: the results are incomplete.`);
    summary = { passed: summary.passed, failed: Math.max(summary.failed, 1) };
    code = 130;
  }
  // a stack still starting is let finish, then stopped with the rest
  await e2eStarting;
  if (e2eStack) await timed('stop e2e stack', () => e2eStack!.stop());
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
    for (const child of tapChildren) child.kill('SIGTERM');
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

/**
 * Emulators of this run's own: on firebase.json's ports when they are free, else on free ports. Never
 * the ones another run (or `npm start`) holds: their owner stops them when it ends, under this run's
 * feet (a journeys' stack lost its Auth emulator so, in the middle of its seed), and tests would write
 * into a developer's data.
 */
async function ownEmulatorPorts(): Promise<{ authPort?: number; firestorePort?: number }> {
  const defaults = emulatorPorts();
  // firebase-tools' Auth emulator also takes the hub's and logging's ports: off its usual port,
  // it runs with free ones of those too (a config of its own)
  const [auth, firestore, hub, logging] = await Promise.all([defaults.auth, defaults.firestore, defaults.hub, defaults.logging].map((p) => portFree(p)));
  if (!hub || !logging) return { authPort: await freePort(), ...(firestore ? {} : { firestorePort: await freePort() }) };
  return {
    ...(auth ? {} : { authPort: await freePort() }),
    ...(firestore ? {} : { firestorePort: await freePort() }),
  };
}

const emuPromise = files.length === 0
  ? Promise.resolve(null)
  : timed('emulators', async () => startEmulators({ auth: true, firestore: true, logDir: path.join(RUN_DIR, 'emulators'), log: note, ...(await ownEmulatorPorts()) }))
    .then((e) => (emulators = e), (err: unknown) => err as Error);

/** The tests' environment with the emulators: their hosts, or why Firestore is not there. */
function withEmulators(env: NodeJS.ProcessEnv, emu: Emulators): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, ...emu.env };
  if (!emu.firestoreAvailable) {
    delete out.FIRESTORE_EMULATOR_HOST;
    out.SUNBAE_FIRESTORE_UNAVAILABLE = emu.firestoreReason ?? 'unavailable';
  }
  return out;
}

// The browser journeys' one stack, once the emulators are up (it uses them), beside the test
// database's preparation; the journey files get it (or why there is none) in E2E_ENV. The other
// suites start once its processes are ready (nine of them booting on two cores must not compete with
// the suites too: a slow boot fails the start), while the seed runs.
const journeys = files.filter(isBrowserJourney);
const chromium = chromiumPath();
let e2eReady!: () => void;
const e2eBooted = new Promise<void>((resolve) => (e2eReady = resolve));
const e2eHandoff: Promise<E2eHandoff | null> = journeys.length === 0
  ? Promise.resolve(null)
  : !fs.existsSync(chromium)
    ? Promise.resolve({ skip: `no Chromium at ${chromium} (apt-get install -y chromium-headless-shell chromium)` })
    : emuPromise.then(async (emu) => {
      if (!emu || emu instanceof Error) return null; // the run is aborted below
      note(`starting the stack the ${journeys.length} browser journey file(s) share`);
      try {
        e2eStack = await timed('e2e stack', () => startE2eStack({ testDatabaseUrl: databaseUrl, env: withEmulators(baseEnv, emu), log: note, onReady: e2eReady }));
        return { webUrl: e2eStack.webUrl, gatewayUrl: e2eStack.gatewayUrl, chromium, logDir: e2eStack.logDir, providerApis: e2eStack.providerApis };
      } catch (err) {
        const message = (err as Error).message;
        note(`the e2e stack did not start: ${message}`);
        return { error: `the e2e stack did not start (the test run's output has the details): ${message.split('\n')[0]}` };
      }
    });
e2eStarting = e2eHandoff;
void e2eHandoff.finally(e2eReady);

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

// The test files' migrated templates (packages/testing's ownInfrastructure) are built again by this run:
// a template left by an earlier run is not trusted (its name hashes the migrations, not the server's state).
await timed('drop templates', async () => {
  for (const name of await listDatabases(databaseUrl, templatePrefix(databaseName(databaseUrl)))) {
    await dropDatabase(withDatabase(databaseUrl, name));
  }
});

const emuResult = await emuPromise;
if (emuResult instanceof Error) {
  await abort(`Test run aborted: the Firebase emulators did not start.\n${emuResult.message}`);
}
const emu = emuResult as Emulators | null;
const skippedNotes: string[] = [];
let testEnv: NodeJS.ProcessEnv = { ...baseEnv };
if (emu) {
  for (const line of describeStatus(emu.status)) note(line);
  testEnv = withEmulators(baseEnv, emu);
  if (!emu.firestoreAvailable) skippedNotes.push(`Firestore emulator unavailable: Firestore tests skipped (${emu.firestoreReason})`);
}
if (journeys.length) await timed('wait for e2e stack processes', () => e2eBooted);

if (interrupted) await finish({ passed: 0, failed: 1 }, 130, skippedNotes);
if (files.length === 0) {
  note(selection.length ? 'no *.test.ts files in the selection' : 'no *.test.ts files in any test folder');
  await finish({ passed: 0, failed: 0 }, 0, skippedNotes);
}

// 4. tap. The suites' files run in batches (scripts/lib/schedule.ts: longest expected first) that
// workers take from one queue, each batch one tap; the browser journeys and the stack suites
// (STACK_SUITES: the deploy smoke, the faults' short form) run in a lane of their own. Every tap's raw
// TAP stream is counted as it comes and printed whole when that tap ends, so two never interleave.
//
// Two suite workers from the start: a suite file mostly waits on Postgres, NATS, the emulators or a
// child process, so one at a time took 603 s for 470 s of test time (tap's own default on two cores
// is one). Every file has its own database, consumers and ports, so none share state.
//
// The journeys' lane is one file at a time: with the two suite workers and the stack, Chromium already
// has its share of the two cores. They share nothing with the other suites but the machine and spend
// most of their time waiting (on the browser, on events between services), so they overlap the
// CPU-bound suites instead of queueing after them. Once its files are done, the lane's worker takes
// suite batches too: three workers share the short batches left at the end.
//
// `--jobs=N` on the command line is passed to every tap.
const JOURNEY_JOBS = 1;
const SUITE_WORKERS = 2;
/** about this many suite batches: one tap start each (~1 CPU-s), against a finer end */
const SUITE_BATCHES = 32;
const tapBin = resolveTapBin();
if (!tapBin) await abort('Test run aborted: tap is not installed; run `npm ci` first.');
const reporter = reporterArg(tapArgs) ?? (process.stdout.isTTY ? 'base' : 'tap');
const piped = reporter === 'tap';
const tapDir = path.join(RUN_DIR, 'test');
fs.mkdirSync(tapDir, { recursive: true });
const localDurations = path.join(tapDir, 'durations.json');
const suiteTapOut = path.join(tapDir, 'tap-output.tap');
const journeyTapOut = path.join(tapDir, 'tap-output-e2e.tap');
for (const f of [suiteTapOut, journeyTapOut]) fs.rmSync(f, { force: true });

const others = files.filter((f) => !inJourneyLane(f));
// the journeys first (they are the lane's reason), then the stack suites (STACK_SUITES)
const journeyLane = [...journeys, ...files.filter((f) => inJourneyLane(f) && !isBrowserJourney(f))];
const known = { ...readDurations(path.join(REPO_ROOT, 'scripts', 'test-durations.json')), ...readDurations(localDurations) };
const queue = planBatches(others, known, SUITE_BATCHES);
const batchCount = queue.length;

interface TapRun { code: number; summary: TapSummary; raw: string }
let printing = Promise.resolve();
let batchSeq = 0;
// what tap itself clears at the start of a run (runTap keeps each tap from doing it under the others)
fs.rmSync(path.join(REPO_ROOT, '.tap', 'processinfo'), { recursive: true, force: true });
const tapRuns: TapRun[] = [];

/** One tap over `batch`; its output is printed whole once it ends, and appended to `tapOut`. */
function runTap(batch: string[], jobs: number, env: NodeJS.ProcessEnv, tapOut: string, title?: string): Promise<TapRun> {
  const args = [tapBin!, ...tapArgs];
  if (!reporterArg(tapArgs)) args.push(`--reporter=${reporter}`);
  if (!tapArgs.some((a) => /^(-j|--jobs)/.test(a))) args.push(`--jobs=${jobs}`);
  const rawFile = piped ? null : path.join(tapDir, `tap-output-${process.pid}-${tapRuns.length}-${Math.random().toString(36).slice(2)}.tap`);
  if (rawFile) args.push(`--output-file=${rawFile}`);
  // tap starts a run by deleting .tap/processinfo, which every test process writes into when it exits:
  // a tap starting while another one's files run made those exit with ENOENT. A save list (tap's
  // --save: run these, write back the failed ones) keeps it from deleting; this run cleared the
  // folder once before the first tap.
  const saveList = path.join(tapDir, 'batches', `${process.pid}-${batchSeq++}.list`);
  fs.mkdirSync(path.dirname(saveList), { recursive: true });
  fs.writeFileSync(saveList, `${batch.join('\n')}\n`);
  args.push(`--save=${saveList}`, ...batch);
  const counter = new TapCounter();
  const held: Buffer[] = [];
  const code = interrupted ? Promise.resolve(130) : new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    tapChildren.add(child);
    child.stdout.on('data', (chunk: Buffer) => {
      held.push(chunk);
      if (piped) counter.write(chunk);
    });
    child.on('error', (err) => {
      process.stderr.write(`[test] cannot run tap: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (c, signal) => {
      tapChildren.delete(child);
      resolve(c ?? (signal ? 128 : 1));
    });
  });
  return code.then(async (c) => {
    fs.rmSync(saveList, { force: true });
    const shown = Buffer.concat(held);
    let raw = piped ? shown.toString('utf8') : '';
    if (rawFile) {
      try {
        raw = fs.readFileSync(rawFile, 'utf8');
        counter.write(raw);
      } catch {
        note(`tap wrote no output file (${path.relative(REPO_ROOT, rawFile)})`);
      }
      fs.rmSync(rawFile, { force: true });
    }
    fs.appendFileSync(tapOut, raw);
    const run: TapRun = { code: c, summary: await counter.end(), raw };
    tapRuns.push(run);
    printing = printing.then(() => {
      if (title) note(title);
      process.stdout.write(shown);
    });
    await printing;
    return run;
  });
}

/** Takes suite batches until the queue is empty. */
async function suiteWorker(): Promise<number> {
  let taken = 0;
  for (let batch = queue.shift(); batch && !interrupted; batch = queue.shift()) {
    taken++;
    await runTap(batch, 1, testEnv, suiteTapOut);
  }
  return taken;
}

const suitesDone = others.length
  ? timed('tap (suite workers)', async () => {
    await Promise.all(Array.from({ length: SUITE_WORKERS }, () => suiteWorker()));
  })
  : Promise.resolve();
const journeysDone = journeyLane.length
  ? (async () => {
    // once the stack is seeded (or with why there is no stack)
    const env = journeys.length
      ? await timed('wait for e2e stack seed', () => e2eHandoff).then((e2e) => (e2e ? { ...testEnv, [E2E_ENV]: JSON.stringify(e2e) } : testEnv))
      : testEnv;
    await timed('tap (browser journeys, deploy smoke)', () => runTap(journeyLane, JOURNEY_JOBS, env, journeyTapOut, 'browser journeys, deploy smoke, faults (short):'));
    const stolen = await suiteWorker();
    if (stolen) note(`the journeys' worker then ran ${stolen} suite batch(es)`);
  })()
  : Promise.resolve();
note(`${others.length} suite file(s) in ${batchCount} batch(es) on ${SUITE_WORKERS} workers${journeyLane.length ? `, ${journeyLane.length} in the journeys' lane` : ''}`);
await Promise.all([suitesDone, journeysDone]);
await printing;

// what each file took, for the next run's order
const times = Object.assign({}, ...tapRuns.map((r) => fileTimes(r.raw))) as Durations;
if (Object.keys(times).length) fs.writeFileSync(localDurations, `${JSON.stringify({ ...readDurations(localDurations), ...times }, null, 1)}\n`);

const summary: TapSummary = {
  passed: tapRuns.reduce((n, r) => n + r.summary.passed, 0),
  failed: tapRuns.reduce((n, r) => n + r.summary.failed, 0),
  skipped: tapRuns.reduce((n, r) => n + r.summary.skipped, 0),
  todo: tapRuns.reduce((n, r) => n + r.summary.todo, 0),
  failures: tapRuns.flatMap((r) => r.summary.failures),
  skips: tapRuns.flatMap((r) => r.summary.skips),
  bailout: tapRuns.find((r) => r.summary.bailout)?.summary.bailout ?? null,
};
const tapCode = tapRuns.find((r) => r.code !== 0)?.code ?? 0;

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
note(`raw TAP of this run: ${[suiteTapOut, journeyTapOut].filter((f) => fs.existsSync(f)).map((f) => path.relative(REPO_ROOT, f)).join(', ')}; total ${secs(Date.now() - tStart)}`);
await finish({ passed: summary.passed, failed }, failed > 0 ? 1 : 0, skippedNotes);
