import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import t from 'tap';
import { emulatorPorts, FIREBASE_TOOLS_DIR, firestoreUnavailableReason, FIRESTORE_EMULATOR_DIR_DEFAULT, killGroup, startEmulators, tail } from '../src/emulators.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

t.test('ports come from deploy/firebase/firebase.json', async (t) => {
  t.same(emulatorPorts(), { auth: 9099, firestore: 8181, hub: 4400, logging: 4500 });
  t.same(emulatorPorts('/nonexistent.json'), { auth: 9099, firestore: 8181, hub: 4400, logging: 4500 });
});

t.test('a missing Firestore jar is reported plainly, not thrown', async (t) => {
  const dir = t.testdir({});
  t.match(firestoreUnavailableReason(dir), /Firestore emulator jar is not installed/);
  const emu = await startEmulators({ auth: false, firestore: true, firestoreDir: dir, firestorePort: await freePort(), logDir: t.testdir() });
  t.equal(emu.firestoreAvailable, false);
  t.match(emu.firestoreReason, /jar is not installed/);
  t.notOk(emu.env.FIRESTORE_EMULATOR_HOST);
  t.equal(emu.env.GCLOUD_PROJECT, 'demo-sunbae');
  await emu.stop();
});

t.test('killGroup ends a whole process group, SIGKILL for those ignoring SIGTERM', async (t) => {
  const polite = spawn('sh', ['-c', 'sleep 60 & sleep 60 & wait'], { detached: true, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 200));
  t.equal(await killGroup(polite.pid!, 2000), 'term');
  const stubborn = spawn('sh', ['-c', "trap '' TERM; sleep 60 & wait; sleep 60"], { detached: true, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 200));
  t.equal(await killGroup(stubborn.pid!, 300), 'kill');
  t.equal(await killGroup(stubborn.pid!, 300), 'gone');
});

t.test('emulator log tail', async (t) => {
  const dir = t.testdir({ 'x.log': Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n' });
  t.equal(tail(`${dir}/x.log`, 3), 'line 47\nline 48\nline 49');
  t.equal(tail(`${dir}/missing.log`), '');
});

const firestoreMissing = firestoreUnavailableReason(FIRESTORE_EMULATOR_DIR_DEFAULT);
t.test('Firestore emulator starts, answers and leaves no process behind', { skip: firestoreMissing ?? false }, async (t) => {
  const port = await freePort();
  const emu = await startEmulators({ auth: false, firestore: true, firestorePort: port, logDir: t.testdir(), timeoutMs: 30_000, graceMs: 3000 });
  t.teardown(() => emu.stop());
  t.equal(emu.firestoreAvailable, true);
  t.equal(emu.env.FIRESTORE_EMULATOR_HOST, `127.0.0.1:${port}`);
  const st = emu.status.find((s) => s.name === 'firestore')!;
  t.equal(st.state, 'started');
  const res = await fetch(`http://127.0.0.1:${port}/`);
  t.equal(res.status, 200);
  // a second caller reuses it and does not own it
  const again = await startEmulators({ auth: false, firestore: true, firestorePort: port, logDir: t.testdir() });
  t.equal(again.status.find((s) => s.name === 'firestore')!.state, 'reused');
  await again.stop();
  t.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200, 'still up after the reuser stopped');
  await emu.stop();
  t.notOk(alive(st.pid!), 'wrapper gone');
  let group = true;
  try {
    process.kill(-st.pid!, 0);
  } catch {
    group = false;
  }
  t.notOk(group, 'no process of the group (java) left');
  await t.rejects(fetch(`http://127.0.0.1:${port}/`), 'port closed');
});

const firebaseMissing = fs.existsSync(`${FIREBASE_TOOLS_DIR}/node_modules/firebase-tools/lib/bin/firebase.js`)
  ? false
  : 'firebase-tools not installed (npm ci --omit=optional --prefix tools/firebase)';
t.test('Auth emulator (firebase-tools) starts offline and stop() leaves no process behind', { skip: firebaseMissing }, async (t) => {
  const port = await freePort();
  const emu = await startEmulators({ auth: true, firestore: false, authPort: port, logDir: t.testdir(), timeoutMs: 60_000 });
  t.teardown(() => emu.stop());
  const st = emu.status.find((s) => s.name === 'auth')!;
  t.equal(st.state, 'started');
  t.equal(emu.env.FIREBASE_AUTH_EMULATOR_HOST, `127.0.0.1:${port}`);
  // the emulator works: sign up a user against it
  const res = await fetch(`http://127.0.0.1:${port}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'lifecycle@example.com', password: 'secret123', returnSecureToken: true }),
  });
  t.equal(res.status, 200);
  t.ok(((await res.json()) as { idToken?: string }).idToken, 'got an ID token');
  await emu.stop();
  let group = true;
  try {
    process.kill(-st.pid!, 0);
  } catch {
    group = false;
  }
  t.notOk(group, 'no process of the firebase-tools group left');
  await t.rejects(fetch(`http://127.0.0.1:${port}/`), 'port closed');
});
