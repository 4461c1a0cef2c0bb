// Finds the test files `npm test` runs: `*.test.ts` under the test folders of
// packages, services, the gateway, the web app, these scripts and benchmarks.
import fs from 'node:fs';
import path from 'node:path';

export const TEST_FILE = /\.test\.ts$/;
/** The web's browser journeys: they share one stack (lib/e2e-stack.ts) and get a tap lane of their own. */
export const isBrowserJourney = (file: string): boolean => file.startsWith('web/test/e2e/') && TEST_FILE.test(file);
/**
 * Suites that, like the journeys, spend their time waiting on a whole platform of their own (the deploy
 * smoke: a production install's processes; the faults' short form: a stack whose NATS, Postgres and
 * payment it stops and restarts): they run in the journeys' lane instead of holding one of the other
 * lane's two slots for minutes. With the journeys quicker (ci2 on 8126fde: journeys' lane 511 s, the
 * suites' 698 s, the faults file 91 s of it), the two lanes end closer together.
 */
export const STACK_SUITES: readonly string[] = ['bench/faults/test/faults.short.test.ts', 'deploy/test/smoke.test.ts'];
/** The files of the journeys' lane: the journeys, then the stack suites. */
export const inJourneyLane = (file: string): boolean => isBrowserJourney(file) || STACK_SUITES.includes(file);
const SKIP_DIRS = new Set(['node_modules', 'fixture', 'fixtures', 'dist', 'tap-snapshots', '.tap', '.git', 'coverage']);

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function children(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}

/** Existing test folders, relative to root, in a stable order. */
export function testDirs(root: string): string[] {
  const dirs: string[] = [];
  for (const group of ['packages', 'services']) {
    for (const d of children(path.join(root, group))) {
      if (d.isDirectory() && isDir(path.join(root, group, d.name, 'test'))) dirs.push(`${group}/${d.name}/test`);
    }
  }
  for (const d of ['gateway/test', 'scripts/test', 'web/test', 'deploy/test']) if (isDir(path.join(root, d))) dirs.push(d);
  // bench/**/test
  const walkBench = (rel: string) => {
    for (const d of children(path.join(root, rel))) {
      if (!d.isDirectory() || SKIP_DIRS.has(d.name)) continue;
      const sub = `${rel}/${d.name}`;
      if (d.name === 'test') dirs.push(sub);
      else walkBench(sub);
    }
  };
  if (isDir(path.join(root, 'bench'))) walkBench('bench');
  return dirs;
}

/** `*.test.ts` files under a folder (recursively), relative to root. */
export function testFilesIn(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of children(path.join(root, rel))) {
      if (SKIP_DIRS.has(d.name)) continue;
      const sub = `${rel}/${d.name}`;
      if (d.isDirectory()) walk(sub);
      else if (d.isFile() && TEST_FILE.test(d.name)) out.push(sub);
    }
  };
  walk(dir);
  return out;
}

export function findTestFiles(root: string): { dirs: string[]; files: string[] } {
  const dirs = testDirs(root);
  return { dirs, files: dirs.flatMap((d) => testFilesIn(root, d)) };
}

/**
 * Splits the command-line arguments of `npm test -- …` into test selections
 * (arguments naming an existing file or folder, resolved against the folder
 * npm was started from and then the repo root) and options passed to tap.
 */
export function splitArgs(args: string[], root: string, initCwd = root): { selection: string[]; tapArgs: string[] } {
  const selection: string[] = [];
  const tapArgs: string[] = [];
  for (const a of args) {
    if (!a.startsWith('-')) {
      const candidates = [path.resolve(initCwd, a), path.resolve(root, a)];
      const hit = candidates.find((c) => fs.existsSync(c));
      if (hit) {
        selection.push(path.relative(root, hit) || '.');
        continue;
      }
    }
    tapArgs.push(a);
  }
  return { selection, tapArgs };
}

/** The reporter named in tap arguments, if any (-R x, -Rx, --reporter x, --reporter=x). */
export function reporterArg(tapArgs: string[]): string | null {
  for (let i = 0; i < tapArgs.length; i++) {
    const a = tapArgs[i]!;
    if (a === '-R' || a === '--reporter') return tapArgs[i + 1] ?? null;
    if (a.startsWith('--reporter=')) return a.slice('--reporter='.length);
    if (a.startsWith('-R') && a.length > 2) return a.slice(2);
  }
  return null;
}
