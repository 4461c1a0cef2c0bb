import t from 'tap';
import { fileTimes, planBatches, readDurations } from '../lib/schedule.ts';

t.test('longest first; short files share a batch up to total / count', async (t) => {
  const known = { 'a.test.ts': 100, 'b.test.ts': 10, 'c.test.ts': 60, 'd.test.ts': 10, 'e.test.ts': 20 };
  // total 200, count 4: target 50 — a and c alone (over it), then e+b+d (40)
  t.same(planBatches(Object.keys(known), known, 4), [['a.test.ts'], ['c.test.ts'], ['e.test.ts', 'b.test.ts', 'd.test.ts']]);
});

t.test('a long file never comes after a batch of shorter ones, however their sums compare', async (t) => {
  const known: Record<string, number> = { 'big.test.ts': 90 };
  for (let i = 0; i < 30; i++) known[`s${String(i).padStart(2, '0')}.test.ts`] = 10;
  // total 390, count 3: target 130 — 13 short files sum to 130, more than big's 90, yet big runs first
  const batches = planBatches(Object.keys(known), known, 3);
  t.equal(batches[0]![0], 'big.test.ts', 'the long file starts the first batch');
  for (const [i, b] of batches.entries()) {
    const longest = Math.max(...b.map((f) => known[f]!));
    for (const later of batches.slice(i + 1)) t.ok(later.every((f) => known[f]! <= longest), `batch ${i} before the rest`);
  }
});

t.test('every file exactly once, whatever the counts', async (t) => {
  const files = Array.from({ length: 37 }, (_, i) => `f${String(i).padStart(2, '0')}.test.ts`);
  const known = Object.fromEntries(files.map((f, i) => [f, (i * 7919) % 113]));
  for (const count of [1, 3, 24, 100]) {
    const batches = planBatches(files, known, count);
    t.same(batches.flat().sort(), files, `count ${count}`);
    t.notOk(batches.some((b) => b.length === 0), 'no empty batch');
  }
  t.same(planBatches([], known, 4), []);
  t.same(planBatches(files, known, 1).flat().length, files.length, 'one batch: all of them');
});

t.test('a file without a figure counts as the median of the known ones', async (t) => {
  const known = { 'a.test.ts': 30, 'b.test.ts': 10, 'c.test.ts': 20 };
  // new.test.ts expected 20: after a (30), level with c, before b
  t.same(planBatches(['new.test.ts', ...Object.keys(known)], known, 100), [['a.test.ts'], ['c.test.ts'], ['new.test.ts'], ['b.test.ts']]);
  t.same(planBatches(['x.test.ts', 'y.test.ts'], {}, 2), [['x.test.ts'], ['y.test.ts']], 'none known: path order');
  t.equal(planBatches(['x.test.ts', 'y.test.ts'], {}, 1).length, 1, 'one batch when asked for one');
});

t.test("file times from a raw TAP stream's top-level points", async (t) => {
  const tap = [
    'TAP version 14',
    '# Subtest: services/a/test/x.test.ts',
    '    ok 1 - inner # time=5ms',
    'ok 1 - services/a/test/x.test.ts # time=1234.56ms',
    'not ok 2 - web/test/y.test.ts # time=78.2ms',
    'not ok 3 - timeout!',
    '1..3',
  ].join('\n');
  t.same(fileTimes(tap), { 'services/a/test/x.test.ts': 1235, 'web/test/y.test.ts': 78 });
});

t.test('a durations file: only non-negative finite numbers; {} when missing or malformed', async (t) => {
  const dir = t.testdir({ 'ok.json': '{"a.test.ts": 12, "b.test.ts": "x", "c.test.ts": -1}', 'bad.json': '[1,2]', 'junk.json': '{' });
  t.same(readDurations(`${dir}/ok.json`), { 'a.test.ts': 12 });
  t.same(readDurations(`${dir}/bad.json`), {});
  t.same(readDurations(`${dir}/junk.json`), {});
  t.same(readDurations(`${dir}/missing.json`), {});
});
