// The emulators keep their data across restarts (issue 21): `npm run emulators -- --data DIR` (the
// same startEmulators({ dataDir }) that `npm start` uses) imports DIR at start and saves it when
// stopped by SIGINT (Ctrl-C) or SIGTERM; a periodic export (here every second) bounds what a kill -9 loses; an export
// interrupted between its two renames is recovered. Real emulators on ports of this file's own.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { exportEmulatorData, METADATA_FILE, readExportMetadata, removeInterruptedExports } from '../src/emulator-data.ts';
import { FIREBASE_TOOLS_DIR, firestoreUnavailableReason, FIRESTORE_EMULATOR_DIR_DEFAULT, REPO_ROOT } from '../src/emulators.ts';
import { OFFLINE_ENV } from '../src/offline-env.ts';

const PROJECT = 'demo-sunbae';
// Two Auth emulator starts: ~10 s each on a quiet machine, over a minute each at a load of 40.
t.setTimeout(600_000);
const missing =
  firestoreUnavailableReason(FIRESTORE_EMULATOR_DIR_DEFAULT) ??
  (fs.existsSync(path.join(FIREBASE_TOOLS_DIR, 'node_modules', 'firebase-tools', 'lib', 'bin', 'firebase.js')) ? null : 'firebase-tools not installed');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function identity(authPort: number, op: string, body: unknown): Promise<{ status: number; json: { localId?: string; idToken?: string; error?: { message: string } } }> {
  const res = await fetch(`http://127.0.0.1:${authPort}/identitytoolkit.googleapis.com/v1/accounts:${op}?key=fake`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}
const signUp = (port: number, email: string) => identity(port, 'signUp', { email, password: 'secret-123', returnSecureToken: true });
const signIn = (port: number, email: string) => identity(port, 'signInWithPassword', { email, password: 'secret-123', returnSecureToken: true });

const doc = (port: number, id: string) => `http://127.0.0.1:${port}/v1/projects/${PROJECT}/databases/(default)/documents/kept/${id}`;
async function writeDoc(port: number, id: string, value: string): Promise<void> {
  const res = await fetch(doc(port, id), {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
    body: JSON.stringify({ fields: { value: { stringValue: value } } }),
  });
  if (!res.ok) throw new Error(`writing kept/${id}: ${res.status} ${await res.text()}`);
}
async function readDoc(port: number, id: string): Promise<string | null> {
  const res = await fetch(doc(port, id), { headers: { authorization: 'Bearer owner' } });
  if (res.status === 404) return null;
  return ((await res.json()) as { fields: { value: { stringValue: string } } }).fields.value.stringValue;
}

interface Running {
  child: ChildProcess;
  err: () => string;
  exit: Promise<number | null>;
}

/** `npm run emulators -- --data DIR` on ports of our own, resolved once it says it is running. */
async function startScript(dataDir: string, logDir: string, authPort: number, firestorePort: number, extra: string[] = []): Promise<Running> {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'scripts', 'emulators.ts'), '--data', dataDir, '--log-dir', logDir, '--auth-port', String(authPort), '--firestore-port', String(firestorePort), '--timeout', '240', ...extra],
    { cwd: REPO_ROOT, env: { ...process.env, ...OFFLINE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stdout!.resume();
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Press Ctrl-C to stop')) resolve();
    });
    void exit.then((code) => reject(new Error(`scripts/emulators.ts exited (${code}) before running:\n${err}`)));
  });
  return { child, err: () => err, exit };
}

async function stopScript(r: Running, signal: NodeJS.Signals): Promise<void> {
  r.child.kill(signal);
  const code = await r.exit;
  if (code !== 0) throw new Error(`scripts/emulators.ts exited ${code} on ${signal}:\n${r.err()}`);
}

t.test('Ctrl-C and SIGTERM both save the data; the next start imports it', { skip: missing ?? false }, async (t) => {
  const base = t.testdir({});
  const dataDir = path.join(base, 'data');
  const logDir = path.join(base, 'logs');
  const [authPort, firestorePort] = [await freePort(), await freePort()];

  const first = await startScript(dataDir, logDir, authPort, firestorePort);
  t.teardown(() => void first.child.kill('SIGKILL'));
  const ada = await signUp(authPort, 'ada@example.com');
  t.equal(ada.status, 200, 'signed up');
  await writeDoc(firestorePort, 'one', '첫째');
  await stopScript(first, 'SIGINT');
  t.match(first.err(), /emulator data saved to .* \(Firestore, 1 Auth account\)/, 'says what it saved');
  const meta = readExportMetadata(dataDir);
  t.ok(meta?.auth && meta.firestore, 'both parts in the export metadata');
  t.ok(fs.existsSync(path.join(dataDir, 'auth_export', 'accounts.json')));
  t.ok(fs.existsSync(path.join(dataDir, meta!.firestore!.metadata_file)), 'the Firestore export is where the metadata says');

  // This time with a periodic export every second as well.
  const second = await startScript(dataDir, logDir, authPort, firestorePort, ['--export-every', '1']);
  t.teardown(() => void second.child.kill('SIGKILL'));
  t.match(second.err(), /with the accounts saved in/, 'the Auth emulator imports');
  const again = await signIn(authPort, 'ada@example.com');
  t.equal(again.status, 200, 'the account signs in after the restart');
  t.equal(again.json.localId, ada.json.localId, 'with the same uid');
  t.equal(await readDoc(firestorePort, 'one'), '첫째', 'the Firestore document is back');
  t.equal((await signUp(authPort, 'ada@example.com')).json.error?.message, 'EMAIL_EXISTS', 'no second account for the same email');

  // The timer saves without a stop (what a kill -9 would keep): wait on the condition.
  const accounts = path.join(dataDir, 'auth_export', 'accounts.json');
  const exported = (email: string) => fs.existsSync(accounts) && fs.readFileSync(accounts, 'utf8').includes(email);
  await signUp(authPort, 'bob@example.com');
  while (!exported('bob@example.com')) await new Promise((r) => setTimeout(r, 100));
  t.pass('the periodic export holds an account made after the start');

  // SIGTERM saves too: an account made just before the signal is in the export once the script exited.
  await signUp(authPort, 'carol@example.com');
  await stopScript(second, 'SIGTERM');
  t.match(second.err(), /emulator data saved to .* \(Firestore, 3 Auth accounts\)/, 'SIGTERM saved both parts');
  t.ok(exported('carol@example.com'), 'the last account is in the export');
});

t.test('an export carries over the part of an emulator it does not own; interrupted exports are recovered', async (t) => {
  const base = t.testdir({
    data: {
      [METADATA_FILE]: JSON.stringify({ version: 'x', firestore: { version: 'jar', path: 'firestore_export', metadata_file: 'firestore_export/f.overall_export_metadata' } }),
      firestore_export: { 'f.overall_export_metadata': 'old firestore' },
    },
  });
  const dataDir = path.join(base, 'data');
  // Only an Auth part is exported now (a stand-in Auth emulator answering the two export calls).
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(req.url!.includes('accounts:batchGet') ? JSON.stringify({ kind: 'x', users: [{ localId: 'u1' }] }) : '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => void server.close());
  const result = await exportEmulatorData(dataDir, { projectId: PROJECT, auth: `127.0.0.1:${(server.address() as net.AddressInfo).port}` });
  t.same(result.exported, ['auth']);
  t.same(result.kept, ['firestore']);
  t.equal(result.accounts, 1);
  t.equal(fs.readFileSync(path.join(dataDir, 'firestore_export', 'f.overall_export_metadata'), 'utf8'), 'old firestore');
  t.same(fs.readdirSync(base), ['data'], 'no temporary folder left');

  // Killed between the renames: the data folder is gone, the new complete export waits under its temporary name.
  const tmp = path.join(base, '.data.new-abc');
  fs.renameSync(dataDir, tmp);
  fs.mkdirSync(`${tmp}.old`);
  fs.mkdirSync(path.join(base, '.data.new-half')); // an export killed before it finished: no metadata
  removeInterruptedExports(dataDir);
  t.ok(readExportMetadata(dataDir)?.auth, 'the complete export took the folder name');
  t.same(fs.readdirSync(base), ['data'], 'the leftovers are removed');
});
