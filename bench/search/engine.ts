// The search engine alone, in process: build time and memory at N mentors, then per-query latency
// cold (first time a term is seen) and warm (term cache hit), as medians. No HTTP, no Postgres.
//   node bench/search/engine.ts [file.jsonl] [--n 100000]
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { InMemoryMentorSearchIndex } from '@sunbae/mentor-catalog/memory-index'
import { generatedSearchDoc } from '@sunbae/mentor-catalog/generated-search'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { n: { type: 'string', default: '100000' } } })
const n = Number(values.n)
let file = positionals[0]
if (!file) {
  file = join(tmpdir(), `sunbae-mentors-${n}.jsonl`)
  if (!existsSync(file)) execFileSync('python3', [new URL('../../../shared/data/gen_mentors.py', import.meta.url).pathname, String(n), file])
}
const docs = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => generatedSearchDoc(JSON.parse(l)))
global.gc?.()
const heap0 = process.memoryUsage()
const t0 = performance.now()
const index = new InMemoryMentorSearchIndex()
for (const d of docs) index.upsert(d)
index.search({ page: 1, pageSize: 20 }) // sorts the orders
const buildMs = performance.now() - t0
global.gc?.()
const heap1 = process.memoryUsage()
const mb = (b: number) => (b / 1048576).toFixed(0)
console.log(`build ${docs.length} docs: ${buildMs.toFixed(0)} ms; heap +${mb(heap1.heapUsed - heap0.heapUsed)} MiB, array buffers +${mb(heap1.arrayBuffers - heap0.arrayBuffers)} MiB (documents included)`)

const queries = ['면접', '이직', '취업', 'ux', 'python', 'react', 'linux', '면접 이직', 'python django', 'ux 리서치', '데이터 분석', 'kubernetes aws', 'senior backend', 'pm', '네카라쿠배', 'xyzzy', 'pythn']
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
for (const q of queries) {
  const c0 = performance.now()
  const first = index.search({ q, page: 1, pageSize: 20 })
  const cold = performance.now() - c0
  const warm: number[] = []
  for (let i = 0; i < 200; i++) {
    const w0 = performance.now()
    index.search({ q, page: 1, pageSize: 20 })
    warm.push(performance.now() - w0)
  }
  const p5: number[] = []
  for (let i = 0; i < 50; i++) {
    const w0 = performance.now()
    index.search({ q, page: 5, pageSize: 20, sort: 'price_asc' })
    p5.push(performance.now() - w0)
  }
  console.log(`${q.padEnd(16)} total ${String(first.total).padStart(6)}  cold ${cold.toFixed(2)} ms  warm p50 ${(median(warm) * 1000).toFixed(0)} µs  page5 price ${(median(p5) * 1000).toFixed(0)} µs${first.suggestion ? `  suggestion: ${first.suggestion}` : ''}`)
}
const l: number[] = []
for (let i = 0; i < 200; i++) {
  const w0 = performance.now()
  index.search({ page: 1 + (i % 10), pageSize: 20 })
  l.push(performance.now() - w0)
}
console.log(`list (no q, rating) p50 ${(median(l) * 1000).toFixed(0)} µs`)
