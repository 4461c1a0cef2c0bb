import t from 'tap';
import { resultLine, summarizeTap, TapCounter } from '../lib/tap-summary.ts';

const run = `TAP version 14
1..4
# Subtest: a.test.ts
    # Subtest: group
        ok 1 - a
        ok 2 - b
        # Subtest: nested
            ok 1 - c
            1..1
        ok 3 - nested # time=1ms
        1..3
    ok 1 - group # time=6ms
    ok 2 - top
    ok 3 - skipped one # SKIP no Firestore
    ok 4 - todo one # TODO
    1..4
ok 1 - a.test.ts # time=14ms

# Subtest: b.test.ts
    not ok 1 - fails
      ---
      compare: ===
      ...
    ok 2 - ok
    1..2
not ok 2 - b.test.ts # time=20ms
  ---
  exitCode: 1
  ...

# Subtest: crash.test.ts
    1..0
not ok 3 - crash.test.ts # time=600ms
  ---
  exitCode: 1
  signal: null
  ...

# Subtest: skipall.test.ts
    1..0 # Firestore emulator unavailable
ok 4 - skipall.test.ts # SKIP Firestore emulator unavailable
# { total: 10, pass: 5, fail: 2, todo: 1, skip: 2 }
`;

t.test('counts leaf assertions, crashed files once, whole-file skips once', async (t) => {
  const s = await summarizeTap(run);
  t.equal(s.passed, 5);
  t.equal(s.failed, 2);
  t.equal(s.skipped, 2);
  t.equal(s.todo, 1);
  t.same(s.failures, ['b.test.ts > fails', 'crash.test.ts (exit code 1)']);
  t.same(s.skips.map((x) => x.reason), ['no Firestore', 'Firestore emulator unavailable']);
  t.equal(resultLine(s), '5 passed, 2 failed');
});

t.test('a failing subtest with a failing assertion inside counts once', async (t) => {
  const s = await summarizeTap(`# Subtest: f.test.ts
    # Subtest: inner
        not ok 1 - boom
        1..1
    not ok 1 - inner
    1..1
not ok 1 - f.test.ts
`);
  t.equal(s.failed, 1);
  t.same(s.failures, ['f.test.ts > inner > boom']);
});

t.test('streaming in arbitrary chunks gives the same result', async (t) => {
  const c = new TapCounter();
  for (let i = 0; i < run.length; i += 7) c.write(run.slice(i, i + 7));
  const s = await c.end();
  t.same([s.passed, s.failed, s.skipped, s.todo], [5, 2, 2, 1]);
});

t.test('bail out is reported', async (t) => {
  const s = await summarizeTap('TAP version 14\nnot ok 1 - x\nBail out! database gone\n');
  t.equal(s.bailout, 'database gone');
  t.equal(s.failed, 1);
});

t.test('empty stream', async (t) => {
  const s = await summarizeTap('');
  t.equal(resultLine(s), '0 passed, 0 failed');
});
