// A benchmark's command line, for options.test.ts: prints what benchOptions parsed.
import { benchOptions } from '../options.ts'

const opts = benchOptions({
  numbers: { rate: [200, 1, 2000], warmup: [3, 0, 60] },
  choices: { via: ['admin', 'sdk'] },
  flags: ['skip-import'],
  text: ['only'],
})
process.stdout.write(JSON.stringify(opts))
