// Fast, dependency-free reachability checks for the infrastructure the tests
// and `npm start` need: Postgres and NATS (with JetStream).
//
// Each check opens a plain TCP connection and speaks just enough of the wire
// protocol to know that the right server answers; it never authenticates with
// a password and gives up quickly. The result is either `{ ok: true }` or a
// message that says precisely what is missing and how to get it.
import net from 'node:net';

export type CheckResult =
  | { ok: true; detail: string }
  | { ok: false; message: string };

export interface CheckOptions {
  /** Total time allowed for the check, in ms (default 2000). */
  timeoutMs?: number;
}

export const POSTGRES_START_HINT = [
  'Start it with one of:',
  '  Debian host:  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | tail -n1) main start',
  '  Docker:       docker compose --profile infra up -d',
  'or point DATABASE_URL / TEST_DATABASE_URL at a reachable server.',
].join('\n');

export const NATS_START_HINT = [
  'Start it with one of:',
  '  Debian host:  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \\',
  '                  -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
  '  Docker:       docker compose --profile infra up -d',
  'or point NATS_URL at a reachable server (JetStream enabled).',
].join('\n');

/** host/port of a postgres:// URL (defaults like libpq). */
export function parsePostgresUrl(url: string): { host: string; port: number; user: string; database: string } {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new Error(`not a postgres:// URL: ${redact(url)}`);
  }
  const user = decodeURIComponent(u.username) || process.env.PGUSER || 'postgres';
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || user,
  };
}

/** host/port of the first server of a nats:// URL (comma-separated lists allowed). */
export function parseNatsUrl(url: string): { host: string; port: number } {
  const first = url.split(',')[0]!.trim();
  const u = new URL(first.includes('://') ? first : `nats://${first}`);
  return { host: u.hostname || '127.0.0.1', port: u.port ? Number(u.port) : 4222 };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Connects, sends what `greet` returns, and resolves with the bytes read until
 * `done(buffer)` says enough. Rejects with a Node error (code ECONNREFUSED,
 * ETIMEDOUT, ...) on failure.
 */
function converse(
  host: string,
  port: number,
  timeoutMs: number,
  onData: (buf: Buffer, write: (b: Buffer) => void) => boolean,
  greet?: Buffer,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(buf);
    };
    const timer = setTimeout(() => {
      const err = new Error(`no answer within ${timeoutMs} ms`) as NodeJS.ErrnoException;
      err.code = 'ETIMEDOUT';
      finish(err);
    }, timeoutMs);
    socket.once('connect', () => {
      if (greet) socket.write(greet);
    });
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        if (onData(buf, (b) => socket.write(b))) finish(null);
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.once('error', (err) => finish(err));
    socket.once('close', () => {
      if (!settled && buf.length > 0) {
        finish(null); // the server said something, then hung up: let the caller judge it
      } else if (!settled) {
        const err = new Error('connection closed by the server') as NodeJS.ErrnoException;
        err.code = 'ECONNRESET';
        finish(err);
      }
    });
  });
}

function describeNetError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens there)';
    case 'ETIMEDOUT':
      return `timed out (${e.message})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host name does not resolve (${e.code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable (${e.code})`;
    default:
      return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
  }
}

/** A Postgres v3 StartupMessage for user/database. */
export function startupMessage(user: string, database: string): Buffer {
  const params = Buffer.from(`user\0${user}\0database\0${database}\0application_name\0sunbae-infra-check\0\0`);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([head, params]);
}

/** Parses the fields of an ErrorResponse ('E') message body. */
export function parsePgError(body: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i]!);
    const end = body.indexOf(0, i + 1);
    if (end < 0) break;
    fields[code] = body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return fields;
}

/**
 * Checks that a Postgres server answers at the URL and accepts the user.
 * Sends a StartupMessage (no TLS, no password) and reads the replies up to
 * ReadyForQuery → ok; a password request → ok (the server is there and
 * wants a password the URL may carry); an ErrorResponse → reported, except
 * "database does not exist" which `npm run db:setup` fixes.
 */
export async function checkPostgres(url: string, opts: CheckOptions = {}): Promise<CheckResult> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  let target: ReturnType<typeof parsePostgresUrl>;
  try {
    target = parsePostgresUrl(url);
  } catch (err) {
    return { ok: false, message: `Postgres: ${(err as Error).message}` };
  }
  const where = `${target.host}:${target.port}`;
  // Read backend messages until one settles it: ReadyForQuery ('Z'), an
  // ErrorResponse ('E'), or an authentication request other than Ok.
  let verdict: { type: string; body: Buffer } | null = null;
  try {
    await converse(target.host, target.port, timeoutMs, (buf) => {
      let i = 0;
      while (i < buf.length) {
        const type = String.fromCharCode(buf[i]!);
        if (!'REZSKNv'.includes(type)) {
          verdict = { type, body: Buffer.alloc(0) }; // not a Postgres server
          return true;
        }
        if (buf.length < i + 5) return false;
        const len = buf.readInt32BE(i + 1);
        if (buf.length < i + 1 + len) return false;
        const body = buf.subarray(i + 5, i + 1 + len);
        if (type === 'E' || type === 'Z' || (type === 'R' && body.readInt32BE(0) !== 0)) {
          verdict = { type, body };
          return true;
        }
        i += 1 + len;
      }
      return false;
    }, startupMessage(target.user, target.database));
  } catch (err) {
    return {
      ok: false,
      message: `Postgres is not reachable at ${where}: ${describeNetError(err)}.\n${POSTGRES_START_HINT}`,
    };
  }
  const v = verdict as { type: string; body: Buffer } | null;
  if (v?.type === 'Z') {
    return { ok: true, detail: `Postgres at ${where} accepts user "${target.user}"` };
  }
  if (v?.type === 'R') {
    return { ok: true, detail: `Postgres at ${where} answers (asks user "${target.user}" for a password)` };
  }
  if (v?.type === 'E') {
    const f = parsePgError(v.body);
    if (f.C === '3D000') {
      return { ok: true, detail: `Postgres at ${where} answers (database "${target.database}" does not exist yet)` };
    }
    const hint = f.C === '28000' || f.C === '28P01'
      ? `Check the user in the URL (${redact(url)}); locally the trust-auth user is "postgres".`
      : f.C === '57P03'
        ? 'The server is starting up or shutting down; try again in a moment.'
        : POSTGRES_START_HINT;
    return {
      ok: false,
      message: `Postgres at ${where} refused the connection: ${f.M ?? 'unknown error'} (SQLSTATE ${f.C ?? '?'}).\n${hint}`,
    };
  }
  if (!v) {
    return { ok: false, message: `Postgres at ${where} hung up during the connection startup; see the server log.\n${POSTGRES_START_HINT}` };
  }
  return {
    ok: false,
    message: `Something listens at ${where} but does not speak the Postgres protocol (first byte ${JSON.stringify(v.type)}).\n${POSTGRES_START_HINT}`,
  };
}

/**
 * Checks that a NATS server answers at the URL with JetStream enabled:
 * reads the INFO line the server sends on connect.
 */
export async function checkNats(url: string, opts: CheckOptions = {}): Promise<CheckResult> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  let target: ReturnType<typeof parseNatsUrl>;
  try {
    target = parseNatsUrl(url);
  } catch (err) {
    return { ok: false, message: `NATS: bad URL ${redact(url)}: ${(err as Error).message}` };
  }
  const where = `${target.host}:${target.port}`;
  let reply: Buffer;
  try {
    reply = await converse(target.host, target.port, timeoutMs, (buf) => buf.includes('\r\n'));
  } catch (err) {
    return {
      ok: false,
      message: `NATS is not reachable at ${where}: ${describeNetError(err)}.\n${NATS_START_HINT}`,
    };
  }
  const line = reply.toString('utf8', 0, reply.indexOf('\r\n'));
  if (!line.startsWith('INFO ')) {
    return {
      ok: false,
      message: `Something listens at ${where} but it is not a NATS server (it said ${JSON.stringify(line.slice(0, 40))}).\n${NATS_START_HINT}`,
    };
  }
  let info: { version?: string; jetstream?: boolean; auth_required?: boolean };
  try {
    info = JSON.parse(line.slice(5)) as typeof info;
  } catch {
    return { ok: false, message: `NATS at ${where} sent an unreadable INFO line.` };
  }
  if (!info.jetstream) {
    return {
      ok: false,
      message: `NATS ${info.version ?? ''} at ${where} runs without JetStream; restart it with -js (and a store dir, -sd).\n${NATS_START_HINT}`,
    };
  }
  return { ok: true, detail: `NATS ${info.version ?? '?'} with JetStream at ${where}` };
}

/** Whether nothing listens on 127.0.0.1:`port` (a listen there succeeds). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
