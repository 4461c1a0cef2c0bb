import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { findTestFiles, inJourneyLane, isBrowserJourney, reporterArg, splitArgs, STACK_SUITES } from '../lib/test-files.ts';

t.test('finds *.test.ts in existing test folders only', async (t) => {
  const root = t.testdir({
    packages: {
      db: { test: { 'a.test.ts': '', 'helpers.ts': '', fixtures: { 'x.test.ts': '' }, deep: { 'b.test.ts': '' } } },
      contracts: { src: { 'c.test.ts': '' } },
    },
    services: { matching: { test: {} }, payment: { test: { 'p.test.ts': '', 'p.test.js': '' } } },
    gateway: { test: { 'g.test.ts': '' } },
    bench: { search: { test: { 's.test.ts': '' } }, node_modules: { x: { test: { 'n.test.ts': '' } } } },
  });
  const { dirs, files } = findTestFiles(root);
  t.same(dirs, ['packages/db/test', 'services/matching/test', 'services/payment/test', 'gateway/test', 'bench/search/test']);
  t.same(files, [
    'packages/db/test/a.test.ts',
    'packages/db/test/deep/b.test.ts',
    'services/payment/test/p.test.ts',
    'gateway/test/g.test.ts',
    'bench/search/test/s.test.ts',
  ]);
});

t.test('the browser journeys are the test files under web/test/e2e, not their helpers', async (t) => {
  const root = t.testdir({
    web: { test: { 'unit.test.ts': '', e2e: { 'browser.ts': '', 'journeys.test.ts': '', deep: { 'x.test.ts': '' } } } },
  });
  const { files } = findTestFiles(root);
  t.same(files.filter(isBrowserJourney), ['web/test/e2e/deep/x.test.ts', 'web/test/e2e/journeys.test.ts']);
  t.same(files.filter((f) => !isBrowserJourney(f)), ['web/test/unit.test.ts']);
});

t.test("the journeys' lane: the journeys and the stack suites, nothing else", async (t) => {
  t.ok(inJourneyLane('web/test/e2e/journeys.test.ts'));
  t.ok(inJourneyLane('deploy/test/smoke.test.ts'), 'the deploy smoke');
  t.ok(inJourneyLane('bench/faults/test/faults.short.test.ts'), "the faults' short form");
  t.same(STACK_SUITES.filter((f) => !inJourneyLane(f)), []);
  t.notOk(inJourneyLane('deploy/test/env.test.ts'));
  t.notOk(inJourneyLane('web/test/notifications.test.ts'), "a web unit test is the suites' lane");
});

t.test('nothing at all', async (t) => {
  const root = t.testdir({ packages: { db: { src: {} } } });
  t.same(findTestFiles(root), { dirs: [], files: [] });
});

t.test('splits selections from tap options', async (t) => {
  const root = t.testdir({ services: { matching: { test: { 'a.test.ts': '' } } } });
  const sub = path.join(root, 'services', 'matching');
  t.ok(fs.existsSync(sub));
  t.same(splitArgs(['services/matching/test/a.test.ts', '-R', 'terse', '--grep=x'], root), {
    selection: ['services/matching/test/a.test.ts'],
    tapArgs: ['-R', 'terse', '--grep=x'],
  });
  // relative to the folder npm was started from (INIT_CWD)
  t.same(splitArgs(['test'], root, sub).selection, ['services/matching/test']);
  t.same(splitArgs(['nope.test.ts'], root).tapArgs, ['nope.test.ts']);
});

t.test('reporter argument forms', async (t) => {
  t.equal(reporterArg(['-R', 'terse']), 'terse');
  t.equal(reporterArg(['-Rdot']), 'dot');
  t.equal(reporterArg(['--reporter=json']), 'json');
  t.equal(reporterArg(['--reporter', 'tap']), 'tap');
  t.equal(reporterArg(['--reporter-file=x', '-r', 'y']), null);
});
