import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const cli = fileURLToPath(new URL('./cli.fixture.ts', import.meta.url))
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

t.test('defaults, and given values in range', async (t) => {
  t.same(JSON.parse(run().out), { write: true, text: {}, rate: 200, warmup: 3, via: 'admin', 'skip-import': false })
  t.same(JSON.parse(run('--rate', '1500', '--warmup=0', '--via', 'sdk', '--skip-import', '--only', 'a,b', '--no-write').out), {
    write: false,
    text: { only: 'a,b' },
    rate: 1500,
    warmup: 0,
    via: 'sdk',
    'skip-import': true,
  })
})

t.test('a value out of range, not a number or not a choice, or an unknown option: exit 2 with the usage, nothing run', async (t) => {
  for (const args of [['--rate', '1e400'], ['--rate', '0'], ['--rate', 'fast'], ['--warmup', '-1'], ['--via', 'http'], ['--bogus'], ['--rate']]) {
    const r = run(...args)
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`)
    t.equal(r.out, '', `${args.join(' ')}: nothing printed on stdout`)
    t.match(r.err, /usage:\n {2}--rate 1\.\.2000 \(default 200\)/, `${args.join(' ')}: the usage`)
  }
  t.match(run('--rate', '1e400').err, /^--rate 1e400: a number from 1 to 2000/)
  t.match(run('--via', 'http').err, /^--via http: one of admin, sdk/)
})
