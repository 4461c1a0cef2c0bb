// The one stack the web's browser journeys (web/test/e2e/*.test.ts) share in a test run. scripts/test.ts
// starts it when the selection holds a journey, hands it to the journey files in one environment
// variable (E2E_ENV, read by web/test/e2e/browser.ts) and stops it at the end.
//
// It is started exactly as `npm start` starts the platform (scripts/start.ts, which says "Sunbae is
// running." once every service's, the gateway's and the web dev server's readiness URL answers), beside anything a
// developer runs: its own database (<TEST_DATABASE_URL>_e2e, recreated each run), its own NATS server (start.ts's,
// on a free port, with the platform's NATS users: every process signs in as its own),
// free ports for the gateway and the web dev server, service ports shifted by SERVICE_PORT_OFFSET,
// logs in .run/e2e/<database>/. Then `npm run seed` (scripts/seed.ts) adds the demo accounts and
// mentors. Everything is keyed by the database, so runs against different test databases in one
// checkout do not meet.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { findNatsServer } from '@sunbae/testing/nats-server';
import { startStripeApi, startTossApi, type StripeApi, type TossApi } from '@sunbae/testing/provider-apis';
import { REPO_ROOT } from './repo.ts';

/** The variable that carries an `E2eHandoff` (JSON) to the journey files. */
export const E2E_ENV = 'SUNBAE_E2E_STACK';

/** What the journey files get: the stack and the browser to drive it, or why there is none. */
export type E2eHandoff = { webUrl: string; gatewayUrl: string; chromium: string; logDir: string; providerApis: ProviderApis } | { skip: string } | { error: string };

/**
 * The payment providers' API stand-ins payment talks to in this stack (@sunbae/testing/provider-apis:
 * Stripe and Toss cannot be reached from here), for the journeys to route their SDK stand-ins' calls to.
 */
export interface ProviderApis {
  stripe: { url: string; publishableKey: string };
  toss: { url: string; clientKey: string };
}

/** Test keys of the stand-ins (never real ones: the stand-ins take only these). */
const PROVIDER_KEYS = {
  stripe: { secretKey: 'sk_test_e2e_standin_000001', publishableKey: 'pk_test_e2e_standin_000001', webhookSecret: 'whsec_e2e_standin_000001' },
  toss: { secretKey: 'test_sk_e2e_standin_000001', clientKey: 'test_gck_e2e_standin_000001' },
};


export interface E2eStack {
  webUrl: string;
  gatewayUrl: string;
  /** scripts/start.ts's log folder: `start.out` (its console) and one `<name>.log` per process */
  logDir: string;
  providerApis: ProviderApis;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

/**
 * An offset that moves every declared service port (4001…4099) onto free ports, all below Linux's
 * ephemeral range (32768–60999): a port there can be taken between the check and the listen by the
 * source port of any outgoing connection (seen: tracking's listen failing with EADDRINUSE).
 */
async function serviceOffset(): Promise<number> {
  const declared = fs
    .readdirSync(path.join(REPO_ROOT, 'services'))
    .map((d) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'services', d, 'package.json'), 'utf8')).sunbae?.port as number | undefined;
      } catch {
        return undefined;
      }
    })
    .filter((p): p is number => typeof p === 'number');
  for (let i = 0; i < 50; i++) {
    const offset = 20_000 + Math.floor(Math.random() * 80) * 100;
    if ((await Promise.all(declared.map((p) => portFree(p + offset)))).every(Boolean)) return offset;
  }
  throw new Error('no free service ports found');
}

/** Drops the e2e database so every run starts from the same state (start.ts creates it again). */
async function freshDatabase(testUrl: string): Promise<{ url: string; name: string }> {
  const url = new URL(testUrl);
  const name = `${url.pathname.slice(1) || 'sunbae_test'}_e2e`.replace(/[^\w-]/g, '_');
  const admin = new URL(testUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`));
    });
  });
}

export interface E2eStackOptions {
  /** the test run's admin URL; the stack's database is named after it */
  testDatabaseUrl: string;
  /** the test run's environment (emulator hosts, offline settings) */
  env: NodeJS.ProcessEnv;
  log: (msg: string) => void;
  /** called once every process is ready, before the seed: from then on its boot is not slowed down */
  onReady?: () => void;
}

/** Starts the stack and seeds it; on any failure what was started is stopped again. */
export async function startE2eStack({ testDatabaseUrl, env: runEnv, log, onReady }: E2eStackOptions): Promise<E2eStack> {
  const natsBinary = findNatsServer();
  if (!natsBinary) throw new Error('nats-server not found (see packages/testing/src/nats-server.ts)');
  const database = await freshDatabase(testDatabaseUrl);
  const dir = path.join(REPO_ROOT, '.run', 'e2e', database.name);
  // start.ts's NATS keeps its store between runs; this stack starts from an empty one, as its database
  fs.rmSync(path.join(dir, 'nats', 'store'), { recursive: true, force: true });
  const [gatewayPort, webPort, offset] = await Promise.all([freePort(), freePort(), serviceOffset()]);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  // payment offers the sandbox (the default), Stripe and Toss, the last two through their API stand-ins
  const apis: [StripeApi, TossApi] = await Promise.all([startStripeApi(PROVIDER_KEYS.stripe), startTossApi(PROVIDER_KEYS.toss)]);
  const [stripeApi, tossApi] = apis;
  const providerApis: ProviderApis = {
    stripe: { url: stripeApi.url, publishableKey: PROVIDER_KEYS.stripe.publishableKey },
    toss: { url: tossApi.url, clientKey: PROVIDER_KEYS.toss.clientKey },
  };
  const env: NodeJS.ProcessEnv = {
    ...runEnv,
    NODE_ENV: 'development',
    DATABASE_URL: database.url,
    // no NATS_URL: start.ts runs a NATS of its own (in <dir>/nats, on a free port) with the platform's users
    NATS_URL: '',
    NATS_PORT: '0',
    GATEWAY_PORT: String(gatewayPort),
    WEB_PORT: String(webPort),
    SERVICE_PORT_OFFSET: String(offset),
    START_LOG_DIR: logDir,
    WEB_WATCH: 'off',
    // the production bundle (vite build, served by vite preview), built while the services start
    WEB_BUILD_DIR: path.join(dir, 'web-dist'),
    // start.ts waits for every readiness URL; its 90 s default is for a developer's idle machine. Nine
    // processes booting on two cores shared with the unit suites (and, on a workstation, whatever else
    // runs) have taken longer, so only a service that never gets ready fails the start.
    START_READY_TIMEOUT_MS: '300000',
    // tracking's fault route (refused in production): the moderation journey shows a real 5xx
    TRACKING_TEST_ROUTES: 'true',
    // the video room: meeting's room links point at this web app; coturn on any free port, and browsers
    // made to relay through it, so the room journey proves TURN (start.ts falls back to 'all' without coturn)
    WEB_BASE_URL: webUrl,
    TURN_PORT: '0',
    MEETING_ICE_TRANSPORT_POLICY: 'relay',
    PAYMENT_PROVIDER: '',
    PAYMENT_PROVIDERS: 'sandbox,stripe,toss',
    STRIPE_SECRET_KEY: PROVIDER_KEYS.stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: PROVIDER_KEYS.stripe.webhookSecret,
    STRIPE_PUBLISHABLE_KEY: PROVIDER_KEYS.stripe.publishableKey,
    STRIPE_API_URL: stripeApi.url,
    TOSS_SECRET_KEY: PROVIDER_KEYS.toss.secretKey,
    TOSS_CLIENT_KEY: PROVIDER_KEYS.toss.clientKey,
    TOSS_API_URL: tossApi.url,
  };
  // Its own process group, so stopping it also ends whatever it could not stop itself.
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const startLog = fs.createWriteStream(path.join(logDir, 'start.out'));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => startLog.write(d));
  child.stderr!.on('data', (d: Buffer) => startLog.write(d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // start.ts gives its children 15 s to drain; past that, the whole group goes
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 20_000);
      await exited;
      clearTimeout(timer);
    }
    startLog.end();
    await Promise.all(apis.map((a) => a.close()));
  };
  try {
    // start.ts bounds each wait itself (readiness: START_READY_TIMEOUT_MS) and exits when one fails
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('Sunbae is running.')) resolve();
      });
      child.stderr!.on('data', (d: Buffer) => (out += d));
      child.once('exit', (code) => reject(new Error(`scripts/start.ts exited (${code}) before the stack was ready:\n${out.slice(-3000)}`)));
    });
    log(`e2e stack up: gateway ${gatewayUrl}, web ${webUrl}, logs ${path.relative(REPO_ROOT, logDir)}`);
    onReady?.();
    await run(process.execPath, ['scripts/seed.ts'], { ...env, GATEWAY_URL: gatewayUrl }, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- scripts/start.ts said:\n${out.slice(-2000)}`);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { webUrl, gatewayUrl, logDir, providerApis, stop };
}
