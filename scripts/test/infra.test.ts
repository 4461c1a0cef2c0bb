import net from 'node:net';
import t from 'tap';
import type { Test } from 'tap';
import { checkNats, checkPostgres, parseNatsUrl, parsePgError, parsePostgresUrl, redact } from '../lib/infra.ts';

/** A TCP server on a free port that answers each connection with `reply(socket)`. */
async function fakeServer(t: Test, reply: (s: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    reply(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as net.AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A Postgres backend message: type byte, int32 length, body. */
function pgMessage(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

t.test('URL parsing', async (t) => {
  t.same(parsePostgresUrl('postgres://postgres@127.0.0.1:5432/sunbae_test'), { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'sunbae_test' });
  t.same(parsePostgresUrl('postgresql://u:p@db/x'), { host: 'db', port: 5432, user: 'u', database: 'x' });
  t.throws(() => parsePostgresUrl('mysql://x'));
  t.same(parseNatsUrl('nats://127.0.0.1:4222'), { host: '127.0.0.1', port: 4222 });
  t.same(parseNatsUrl('nats://a:5000,nats://b:5001'), { host: 'a', port: 5000 });
  t.same(parseNatsUrl('localhost'), { host: 'localhost', port: 4222 });
  t.equal(redact('postgres://u:secret@h/db'), 'postgres://u:***@h/db');
});

t.test('a closed Postgres port gives a precise message with the ways to start it', async (t) => {
  const port = await closedPort();
  const r = await checkPostgres(`postgres://postgres@127.0.0.1:${port}/sunbae_test`);
  t.equal(r.ok, false);
  if (!r.ok) {
    t.match(r.message, `Postgres is not reachable at 127.0.0.1:${port}: connection refused`);
    t.match(r.message, 'pg_ctlcluster --skip-systemctl-redirect');
    t.match(r.message, 'docker compose --profile infra up -d');
  }
});

t.test('a closed NATS port gives a precise message with the ways to start it', async (t) => {
  const port = await closedPort();
  const r = await checkNats(`nats://127.0.0.1:${port}`);
  t.equal(r.ok, false);
  if (!r.ok) {
    t.match(r.message, `NATS is not reachable at 127.0.0.1:${port}: connection refused`);
    t.match(r.message, 'nats-server -- \\');
    t.match(r.message, '-js');
    t.match(r.message, 'docker compose --profile infra up -d');
  }
});

t.test('Postgres: trust auth, password request, missing database, bad role, wrong protocol', async (t) => {
  const auth = (code: number) => { const b = Buffer.alloc(4); b.writeInt32BE(code); return pgMessage('R', b); };
  const err = (fields: Record<string, string>) =>
    pgMessage('E', Buffer.from(Object.entries(fields).map(([k, v]) => `${k}${v}\0`).join('') + '\0'));

  const ready = pgMessage('Z', Buffer.from('I'));
  let port = await fakeServer(t, (s) => s.once('data', () => s.write(Buffer.concat([auth(0), pgMessage('S', Buffer.from('a\0b\0')), ready]))));
  let r = await checkPostgres(`postgres://postgres@127.0.0.1:${port}/x`);
  t.ok(r.ok, 'AuthenticationOk … ReadyForQuery');

  port = await fakeServer(t, (s) => s.once('data', () => s.write(Buffer.concat([auth(0), err({ S: 'FATAL', C: '28000', M: 'role "x" does not exist' })]))));
  r = await checkPostgres(`postgres://x@127.0.0.1:${port}/x`);
  t.notOk(r.ok, 'trust auth, then the role is missing');

  port = await fakeServer(t, (s) => s.once('data', () => s.write(auth(10))));
  r = await checkPostgres(`postgres://app@127.0.0.1:${port}/x`);
  t.ok(r.ok && /asks user "app" for a password/.test(r.detail), 'SASL request is fine');

  port = await fakeServer(t, (s) => s.once('data', () => s.end(err({ S: 'FATAL', C: '3D000', M: 'database "x" does not exist' }))));
  r = await checkPostgres(`postgres://postgres@127.0.0.1:${port}/x`);
  t.ok(r.ok && /does not exist yet/.test(r.detail), 'missing database is left to db:setup');

  port = await fakeServer(t, (s) => s.once('data', () => s.end(err({ S: 'FATAL', C: '28000', M: 'role "nobody" does not exist' }))));
  r = await checkPostgres(`postgres://nobody@127.0.0.1:${port}/x`);
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.message, /role "nobody" does not exist \(SQLSTATE 28000\)/);

  port = await fakeServer(t, (s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  r = await checkPostgres(`postgres://postgres@127.0.0.1:${port}/x`);
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.message, 'does not speak the Postgres protocol');

  port = await fakeServer(t, () => { /* never answers */ });
  r = await checkPostgres(`postgres://postgres@127.0.0.1:${port}/x`, { timeoutMs: 300 });
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.message, 'timed out');

  port = await fakeServer(t, (s) => s.once('data', () => s.end(auth(0))));
  r = await checkPostgres(`postgres://postgres@127.0.0.1:${port}/x`);
  t.notOk(r.ok, 'hung up before ReadyForQuery');
});

t.test('NATS: JetStream required, non-NATS servers recognised', async (t) => {
  let port = await fakeServer(t, (s) => s.write('INFO {"version":"2.9.10","jetstream":true}\r\n'));
  let r = await checkNats(`nats://127.0.0.1:${port}`);
  t.ok(r.ok && r.detail.includes('2.9.10'), 'INFO with jetstream');

  port = await fakeServer(t, (s) => s.write('INFO {"version":"2.9.10"}\r\n'));
  r = await checkNats(`nats://127.0.0.1:${port}`);
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.message, 'runs without JetStream');

  port = await fakeServer(t, (s) => s.write('-ERR what\r\n'));
  r = await checkNats(`nats://127.0.0.1:${port}`);
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.message, 'not a NATS server');
});

t.test('pg ErrorResponse fields', async (t) => {
  t.same(parsePgError(Buffer.from('SFATAL\0C28000\0Mno\0\0')), { S: 'FATAL', C: '28000', M: 'no' });
});
