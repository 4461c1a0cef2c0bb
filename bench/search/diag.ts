// Preloaded by bench/search/run.ts into the processes it measures (`node --import ./diag.ts …`)
// when BENCH_DIAG_FILE is set: every 250 ms one JSON line with the process's cumulative CPU time,
// garbage collections (count and pause per kind), and, since the previous line, the longest GC
// pause and event-loop delay. run.ts integrates the lines over each wrk run: CPU µs per request,
// scavenges and mark-compacts, the worst pauses. Costs nothing per request.
import { appendFileSync } from 'node:fs'
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'

const file = process.env.BENCH_DIAG_FILE
if (file) {
  const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0, other: 0, otherMs: 0 }
  let maxPause = 0
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const kind = e.detail?.kind
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minor++
        gc.minorMs += e.duration
      } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.major++
        gc.majorMs += e.duration
      } else {
        gc.other++
        gc.otherMs += e.duration
      }
      if (e.duration > maxPause) maxPause = e.duration
    }
  }).observe({ entryTypes: ['gc'] })
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  setInterval(() => {
    const cpu = process.cpuUsage()
    const mem = process.memoryUsage()
    const line = {
      t: Date.now(),
      cpuUs: cpu.user + cpu.system,
      ...gc,
      maxPauseMs: maxPause,
      loopMaxMs: delay.max / 1e6,
      heapMiB: Math.round(mem.heapUsed / 1048576),
      rssMiB: Math.round(mem.rss / 1048576),
    }
    maxPause = 0
    delay.reset()
    appendFileSync(file, `${JSON.stringify(line)}\n`)
  }, 250).unref()
}
