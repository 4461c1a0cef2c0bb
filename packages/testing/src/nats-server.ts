// @sunbae/testing/nats-server (no firebase-admin: scripts/test.ts loads it).
// A NATS server of the test run's own, so tests never share streams and durable consumers with a
// local stack that runs at the same time (or with the events earlier runs left behind). Used when
// the nats-server binary is on this machine and TEST_NATS_URL is not set; otherwise the tests use
// NATS_URL as it is.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];

export function findNatsServer(): string | null {
  const fromPath = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'nats-server'));
  return [...fromPath, ...CANDIDATES].find((p) => fs.existsSync(p)) ?? null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('data', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.setTimeout(500, () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** A server left behind by a run that was killed hard: stop it before reusing its folder. */
function killStale(pidFile: string): void {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8'));
  } catch {
    return;
  }
  try {
    if (pid > 0 && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('nats-server')) process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
  fs.rmSync(pidFile, { force: true });
}

export interface PrivateNats {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** SIGKILL and remove the store at once (synchronous: usable in a process 'exit' handler). */
  kill(): void;
}

export interface PrivateNatsOptions {
  /** listen here instead of a free port: a restart on the port the clients reconnect to */
  port?: number;
  /**
   * Keep the JetStream store: start on what is in `dir` (streams, messages, dedup state) instead of
   * wiping it, and leave it there on stop() — an operator's NATS restart. kill() still removes it.
   */
  keepStore?: boolean;
  /** a config file (`-c`): users and permissions, say (@sunbae/bus/nats-auth); address and store stay the options' */
  config?: string;
  timeoutMs?: number;
}

/**
 * Starts nats-server with JetStream on a free loopback port (or `port`) and a fresh store in `dir`
 * (or the store left there, with `keepStore`). The child is unref'd: call stop(), or kill() from a
 * process 'exit' handler.
 */
export async function startPrivateNats(binary: string, dir: string, options: PrivateNatsOptions | number = {}): Promise<PrivateNats> {
  const opts = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  killStale(`${dir}.pid`);
  if (!opts.keepStore) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const args = [...(opts.config ? ['-c', opts.config] : []), '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, '-l', path.join(dir, 'nats.log')];
  const child: ChildProcess = spawn(binary, args, {
    stdio: 'ignore',
  });
  if (child.pid) fs.writeFileSync(`${dir}.pid`, String(child.pid));
  // Never what keeps the caller alive (a test file that ends with it running must still exit): the
  // caller stops it, or kills it in a process 'exit' handler.
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not start on 127.0.0.1:${port} (see ${path.join(dir, 'nats.log')})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(`${dir}.pid`, { force: true });
    },
    stop: async () => {
      // gone already (an exit code, or a signal: then exitCode stays null and 'exit' has fired — waiting
      // for it would hang until nothing keeps the loop alive, and a top-level await exits with 13)
      if (child.exitCode !== null || child.signalCode !== null) {
        if (!opts.keepStore) fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(`${dir}.pid`, { force: true });
        return;
      }
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      if (!opts.keepStore) fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(`${dir}.pid`, { force: true });
    },
  };
}

/** A NATS of a test file's own that the test stops and starts again, as an operator's restart would. */
export interface RestartableNats {
  /** the same for every start: same port, same JetStream store */
  readonly url: string;
  readonly port: number;
  /** a folder of this server's, removed with it at process exit (for anything else the file needs on disk) */
  readonly workDir: string;
  stop(): Promise<void>;
  /** starts it again on its port and store */
  start(): Promise<void>;
}

/** Starts a RestartableNats in a temp folder named after `prefix`; it and the folder go when the process exits. */
export async function restartableNats(binary: string, prefix: string): Promise<RestartableNats> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const store = path.join(workDir, 'store');
  let current = await startPrivateNats(binary, store, { keepStore: true });
  const { url, port } = current;
  process.once('exit', () => {
    current.kill();
    fs.rmSync(workDir, { recursive: true, force: true });
  });
  return {
    url,
    port,
    workDir,
    stop: () => current.stop(),
    start: async () => {
      current = await startPrivateNats(binary, store, { keepStore: true, port });
    },
  };
}
