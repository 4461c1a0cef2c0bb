// @sunbae/testing/emulators (no firebase-admin: scripts/test.ts and scripts/start.ts load it).
// Starts the Firebase emulators the project uses locally and in tests:
//  - Auth, through firebase-tools (tools/firebase, installed apart from the
//    workspaces with `npm ci --omit=optional --prefix tools/firebase`);
//  - Firestore, straight from the gcloud jar (firebase-tools 15 refuses the
//    Java 17 found here and cannot download its own jar offline).
// Emulators that already answer are reused and left alone; the ones started
// here run in their own process group and `stop()` ends exactly those groups
// (SIGTERM, then SIGKILL after a grace period).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportEmulatorData, importSources, removeInterruptedExports, type ExportResult } from './emulator-data.ts';
import { OFFLINE_ENV } from './offline-env.ts';

export const PROJECT_ID = 'demo-sunbae';
/** The repository root (this file is packages/testing/src/emulators.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIREBASE_CONFIG = path.join(REPO_ROOT, 'deploy', 'firebase', 'firebase.json');
export const FIREBASE_TOOLS_DIR = path.join(REPO_ROOT, 'tools', 'firebase');
export const FIRESTORE_EMULATOR_DIR_DEFAULT = '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator';
export const FIRESTORE_RULES = path.join(REPO_ROOT, 'deploy', 'firebase', 'firestore.rules');

export { OFFLINE_ENV } from './offline-env.ts';

export type EmulatorName = 'auth' | 'firestore';

export interface EmulatorsOptions {
  auth?: boolean;
  firestore?: boolean;
  /** Folder for <name>.log files of started emulators (created). */
  logDir: string;
  /** How long to wait for each emulator to answer, in ms (default 60000). */
  timeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in stop(), in ms (default 5000). */
  graceMs?: number;
  /** Where cloud_firestore_emulator lives (default $FIRESTORE_EMULATOR_DIR or the gcloud path). */
  firestoreDir?: string;
  /** Override ports (default: deploy/firebase/firebase.json). */
  authPort?: number;
  firestorePort?: number;
  /** Progress messages (default: stderr). */
  log?: (msg: string) => void;
  /**
   * Keep the data of the emulators started here in this folder (firebase-tools' export layout):
   * imported at start, exported by `stop()` before the emulators end and every `exportEveryMs`.
   * Emulators that were already running are not ours: their data is neither imported nor exported.
   */
  dataDir?: string;
  /** With `dataDir`: export this often as well, so a kill -9 loses at most this much (default 60000; 0 = only at stop). */
  exportEveryMs?: number;
}

export interface EmulatorStatus {
  name: EmulatorName;
  host: string;
  /** 'started' by us, 'reused' (already answered), 'unavailable', or 'disabled'. */
  state: 'started' | 'reused' | 'unavailable' | 'disabled';
  reason?: string;
  pid?: number;
  logFile?: string;
  ms?: number;
}

export interface Emulators {
  env: {
    FIREBASE_AUTH_EMULATOR_HOST?: string;
    FIRESTORE_EMULATOR_HOST?: string;
    GCLOUD_PROJECT: string;
    FIREBASE_PROJECT_ID: string;
    GOOGLE_CLOUD_PROJECT: string;
  };
  firestoreAvailable: boolean;
  /** Why Firestore is unavailable, when it is. */
  firestoreReason?: string;
  status: EmulatorStatus[];
  /** Stops only the emulators started by this call (exporting their data first, with `dataDir`). Safe to call twice. */
  stop(): Promise<void>;
  /** With `dataDir`: exports the started emulators' data now (null when there is nothing of ours to export). */
  exportData(): Promise<ExportResult | null>;
  /** With `dataDir`: what was imported at start. */
  imported: { auth: boolean; firestore: boolean };
  /** Resolves with the name of a started emulator that exited on its own. */
  exited: Promise<{ name: EmulatorName; code: number | null; signal: NodeJS.Signals | null }>;
}

interface FirebaseJson {
  emulators?: Record<string, { host?: string; port?: number } | undefined>;
}

/** Ports from deploy/firebase/firebase.json, falling back to firebase defaults. */
export function emulatorPorts(configFile = FIREBASE_CONFIG): { auth: number; firestore: number; hub: number; logging: number } {
  let cfg: FirebaseJson = {};
  try {
    cfg = JSON.parse(fs.readFileSync(configFile, 'utf8')) as FirebaseJson;
  } catch {
    // defaults below
  }
  return {
    auth: cfg.emulators?.auth?.port ?? 9099,
    firestore: cfg.emulators?.firestore?.port ?? 8181,
    // firebase-tools' own, taken by whichever emulator it starts (here: Auth)
    hub: cfg.emulators?.hub?.port ?? 4400,
    logging: cfg.emulators?.logging?.port ?? 4500,
  };
}

/** Resolves true when an HTTP GET on http://host:port/ gets any answer below 500. */
export function httpAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

/** The last `lines` lines of a file ('' if unreadable). */
export function tail(file: string, lines = 30): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}

/** Why the Firestore emulator cannot run here, or null when it can. */
export function firestoreUnavailableReason(dir: string): string | null {
  const script = path.join(dir, 'cloud_firestore_emulator');
  const jar = path.join(dir, 'cloud-firestore-emulator.jar');
  if (!fs.existsSync(script) || !fs.existsSync(jar)) {
    return `the Firestore emulator jar is not installed (${jar} missing)`;
  }
  const java = spawnSync(process.env.JAVA ?? 'java', ['-version'], { stdio: 'ignore', timeout: 10_000 });
  if (java.error || java.status !== 0) {
    return 'Java is not installed (the Firestore emulator needs a JRE 11+ on PATH)';
  }
  return null;
}

async function freePort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * A copy of firebase.json for an Auth emulator on another port (tests, or two
 * checkouts side by side), with its own hub and logging ports.
 */
async function derivedConfig(dir: string, host: string, authPort: number): Promise<string> {
  let cfg: FirebaseJson = {};
  try {
    cfg = JSON.parse(fs.readFileSync(FIREBASE_CONFIG, 'utf8')) as FirebaseJson;
  } catch {
    // start from nothing
  }
  const emulators = { ...(cfg.emulators ?? {}) };
  emulators.auth = { host, port: authPort };
  emulators.hub = { host, port: await freePort(host) };
  emulators.logging = { host, port: await freePort(host) };
  const file = path.join(dir, `firebase.${authPort}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ ...cfg, emulators }, null, 2)}\n`);
  return file;
}

function firebaseCliScript(): string {
  return path.join(FIREBASE_TOOLS_DIR, 'node_modules', 'firebase-tools', 'lib', 'bin', 'firebase.js');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Ends a process group started with `detached: true`: SIGTERM to the group,
 * then SIGKILL to whatever is left after `graceMs`. Resolves when the group
 * is gone (or after the SIGKILL wait).
 */
export async function killGroup(pid: number, graceMs = 5000): Promise<'term' | 'kill' | 'gone'> {
  if (!groupAlive(pid)) return 'gone';
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(100);
    if (!groupAlive(pid)) return 'term';
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
  for (let i = 0; i < 20 && groupAlive(pid); i++) await sleep(100);
  return 'kill';
}

interface Started {
  name: EmulatorName;
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnLogged(name: EmulatorName, cmd: string, args: string[], cwd: string, logFile: string, env: NodeJS.ProcessEnv): Started {
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `\n--- ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: 127, signal: null }));
  });
  return { name, child, exit };
}

async function waitReady(s: Started, host: string, port: number, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void s.exit.then((e) => (exited = e));
  while (Date.now() < deadline) {
    if (exited) {
      const e = exited as { code: number | null; signal: NodeJS.Signals | null };
      return `exited before it was ready (code ${e.code}, signal ${e.signal})`;
    }
    if (await httpAnswers(host, port, 500)) return null;
    await sleep(200);
  }
  return `did not answer on http://${host}:${port}/ within ${Math.round(timeoutMs / 1000)} s`;
}

/**
 * Starts the requested emulators that are not already answering and waits
 * until they do. Throws (after stopping whatever it started) when the Auth
 * emulator cannot start or a started emulator fails; a Firestore emulator
 * that cannot run on this machine is reported as `firestoreAvailable: false`.
 */
export async function startEmulators(opts: EmulatorsOptions): Promise<Emulators> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const graceMs = opts.graceMs ?? 5000;
  const ports = emulatorPorts();
  const authPort = opts.authPort ?? ports.auth;
  const firestorePort = opts.firestorePort ?? ports.firestore;
  const host = '127.0.0.1';
  const firestoreDir = opts.firestoreDir ?? process.env.FIRESTORE_EMULATOR_DIR ?? FIRESTORE_EMULATOR_DIR_DEFAULT;
  fs.mkdirSync(opts.logDir, { recursive: true });
  const dataDir = opts.dataDir ? path.resolve(opts.dataDir) : null;
  if (dataDir) removeInterruptedExports(dataDir);
  const sources = dataDir ? importSources(dataDir) : {};
  const imported = { auth: false, firestore: false };

  const started: Started[] = [];
  const status: EmulatorStatus[] = [];
  let stopped = false;
  let stopping: Promise<void> | null = null;
  let ready = false;
  let timer: NodeJS.Timeout | undefined;
  // One export at a time: the periodic one and stop()'s final one must not swap folders concurrently.
  let exporting: Promise<ExportResult | null> = Promise.resolve(null);
  const exportData = (): Promise<ExportResult | null> => {
    exporting = exporting.catch(() => null).then(() => {
      const mine = new Set(started.map((s) => s.name));
      if (!dataDir || !ready || mine.size === 0) return null;
      const host = (n: EmulatorName) => (mine.has(n) ? status.find((s) => s.name === n)?.host : undefined);
      const auth = host('auth');
      const firestore = host('firestore');
      return exportEmulatorData(dataDir, { projectId: PROJECT_ID, ...(auth ? { auth } : {}), ...(firestore ? { firestore } : {}) });
    });
    return exporting;
  };
  // Idempotent: every caller waits for the same shutdown.
  const stop = (): Promise<void> => {
    stopped = true;
    clearInterval(timer);
    stopping ??= (async () => {
      if (dataDir && ready) {
        try {
          const r = await exportData();
          if (r) log(`emulator data saved to ${path.relative(process.cwd(), dataDir) || dataDir} (${describeExport(r)})`);
        } catch (err) {
          log(`saving the emulator data to ${dataDir} failed: ${(err as Error).message}`);
        }
      }
      await Promise.all(started.map(async (s) => {
        if (s.child.pid) await killGroup(s.child.pid, graceMs);
      }));
    })();
    return stopping;
  };
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...OFFLINE_ENV };

  const startOne = async (
    name: EmulatorName,
    port: number,
    launch: (logFile: string) => Started,
  ): Promise<EmulatorStatus> => {
    const t0 = Date.now();
    if (await httpAnswers(host, port)) {
      return { name, host: `${host}:${port}`, state: 'reused', ms: Date.now() - t0 };
    }
    const logFile = path.join(opts.logDir, `${name}-emulator.log`);
    const s = launch(logFile);
    started.push(s);
    const problem = await waitReady(s, host, port, timeoutMs);
    if (problem) {
      const why = `${name} emulator ${problem}. Last lines of ${logFile}:\n${tail(logFile)}`;
      throw new Error(why);
    }
    return { name, host: `${host}:${port}`, state: 'started', pid: s.child.pid!, logFile, ms: Date.now() - t0 };
  };

  try {
    const jobs: Promise<EmulatorStatus>[] = [];
    if (opts.firestore !== false) {
      jobs.push((async () => {
        if (await httpAnswers(host, firestorePort)) {
          return { name: 'firestore' as const, host: `${host}:${firestorePort}`, state: 'reused' as const };
        }
        const reason = firestoreUnavailableReason(firestoreDir);
        if (reason) return { name: 'firestore' as const, host: '', state: 'unavailable' as const, reason };
        log(`starting Firestore emulator on ${host}:${firestorePort}${sources.firestoreSeed ? ` with the data saved in ${path.relative(process.cwd(), dataDir!)}` : ''} …`);
        const seed = sources.firestoreSeed ? ['--seed_from_export', sources.firestoreSeed] : [];
        imported.firestore = seed.length > 0;
        return startOne('firestore', firestorePort, (logFile) =>
          spawnLogged('firestore', path.join(firestoreDir, 'cloud_firestore_emulator'),
            ['--host', host, '--port', String(firestorePort), '--project_id', PROJECT_ID, ...seed],
            firestoreDir, logFile, childEnv));
      })());
    } else {
      status.push({ name: 'firestore', host: '', state: 'disabled' });
    }
    if (opts.auth !== false) {
      jobs.push((async () => {
        if (await httpAnswers(host, authPort)) {
          return { name: 'auth' as const, host: `${host}:${authPort}`, state: 'reused' as const };
        }
        const cli = firebaseCliScript();
        if (!fs.existsSync(cli)) {
          throw new Error(
            `firebase-tools is not installed (${path.relative(REPO_ROOT, cli)} missing).\n` +
            'Install it with:  npm ci --omit=optional --prefix tools/firebase',
          );
        }
        const config = authPort === ports.auth ? FIREBASE_CONFIG : await derivedConfig(opts.logDir, host, authPort);
        log(`starting Auth emulator on ${host}:${authPort} (firebase-tools, ~10 s)${sources.auth ? ` with the accounts saved in ${path.relative(process.cwd(), dataDir!)}` : ''} …`);
        // Exports are ours (exportData), not firebase-tools' --export-on-exit: ours also run
        // periodically, cover the Firestore jar it does not start, and replace the folder atomically.
        const importArgs = sources.auth ? ['--import', sources.auth] : [];
        imported.auth = importArgs.length > 0;
        // cwd = log dir so firebase-debug.log lands there, not in the repo.
        return startOne('auth', authPort, (logFile) =>
          spawnLogged('auth', process.execPath,
            [cli, 'emulators:start', '--only', 'auth', '--project', PROJECT_ID, '--config', config, ...importArgs],
            opts.logDir, logFile, childEnv));
      })());
    } else {
      status.push({ name: 'auth', host: '', state: 'disabled' });
    }
    const results = await Promise.allSettled(jobs);
    const failure = results.find((r) => r.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    for (const r of results) status.push((r as PromiseFulfilledResult<EmulatorStatus>).value);
  } catch (err) {
    await stop();
    throw err;
  }

  const auth = status.find((s) => s.name === 'auth');
  const firestore = status.find((s) => s.name === 'firestore');
  const firestoreAvailable = firestore?.state === 'started' || firestore?.state === 'reused';
  const env: Emulators['env'] = {
    GCLOUD_PROJECT: PROJECT_ID,
    FIREBASE_PROJECT_ID: PROJECT_ID,
    GOOGLE_CLOUD_PROJECT: PROJECT_ID,
  };
  if (auth && auth.host) env.FIREBASE_AUTH_EMULATOR_HOST = auth.host;
  if (firestoreAvailable && firestore) {
    env.FIRESTORE_EMULATOR_HOST = firestore.host;
    try {
      await loadFirestoreRules(firestore.host);
    } catch (err) {
      await stop();
      throw err;
    }
  }
  const exited = new Promise<{ name: EmulatorName; code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    for (const s of started) void s.exit.then((e) => { if (!stopped) resolve({ name: s.name, ...e }); });
  });
  ready = true;
  const every = opts.exportEveryMs ?? 60_000;
  if (dataDir && every > 0 && started.length > 0) {
    timer = setInterval(() => {
      exportData().catch((err: unknown) => log(`periodic export of the emulator data failed: ${(err as Error).message}`));
    }, every);
    timer.unref();
  }
  const result: Emulators = { env, firestoreAvailable, status, stop, exited, exportData, imported };
  if (firestore?.reason) result.firestoreReason = firestore.reason;
  return result;
}

/**
 * Loads deploy/firebase/firestore.rules into a running Firestore emulator for `projectId`. The
 * jar started directly has no firebase.json to read them from, and a reused emulator may hold
 * older rules; this is the emulator REST call @firebase/rules-unit-testing makes.
 */
export async function loadFirestoreRules(host: string, projectId = PROJECT_ID, rulesFile = FIRESTORE_RULES): Promise<void> {
  const res = await fetch(`http://${host}/emulator/v1/projects/${projectId}:securityRules`, {
    method: 'PUT',
    body: JSON.stringify({ rules: { files: [{ name: path.basename(rulesFile), content: fs.readFileSync(rulesFile, 'utf8') }] } }),
  });
  if (!res.ok) throw new Error(`loading ${path.relative(REPO_ROOT, rulesFile)} into the Firestore emulator failed (${res.status}): ${await res.text()}`);
}

function describeExport(r: ExportResult): string {
  const parts = r.exported.map((p) => (p === 'auth' ? `${r.accounts} Auth account${r.accounts === 1 ? '' : 's'}` : 'Firestore'));
  if (r.kept.length) parts.push(`kept the earlier ${r.kept.join(' and ')} export`);
  return parts.join(', ');
}

/** One line per emulator, for humans. */
export function describeStatus(status: EmulatorStatus[]): string[] {
  return status.map((s) => {
    const label = s.name === 'auth' ? 'Auth emulator' : 'Firestore emulator';
    switch (s.state) {
      case 'started':
        return `${label}: started on ${s.host} in ${((s.ms ?? 0) / 1000).toFixed(1)} s (pid ${s.pid}, log ${path.relative(process.cwd(), s.logFile ?? '') || s.logFile})`;
      case 'reused':
        return `${label}: already running on ${s.host} (reused, left running)`;
      case 'unavailable':
        return `${label} unavailable: ${s.reason}`;
      case 'disabled':
        return `${label}: not requested`;
    }
  });
}
