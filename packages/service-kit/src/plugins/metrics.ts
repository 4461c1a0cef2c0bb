import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Counter, Histogram, type Registry } from 'prom-client'

/** Request duration buckets, in seconds: from a cached read (~1 ms) to the gateway's upstream timeout. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Probes and scrapes: polled every few seconds by the platform, they would drown the routes' rates. */
const UNMEASURED = new Set(['/healthz', '/readyz', '/metrics'])

/** The route label of a request no route matched (404s): one series, whatever URL was asked. */
export const UNMATCHED_ROUTE = 'unmatched'

/**
 * RED metrics of every route, in the app's Prometheus registry (the health plugin's, served at
 * /metrics):
 * - `http_server_requests_total{method,route,status_code}`: the rate, by outcome;
 * - `http_server_errors_total{method,route,class}`: responses with a 4xx or 5xx status
 *   (class="4xx" | "5xx"), the same requests counted again so an alert needs no regex over codes;
 * - `http_server_request_duration_seconds{method,route}`: a histogram of the time from request to
 *   response end (Fastify's reply.elapsedTime).
 *
 * `route` is the route's pattern (`/api/mentors/:id`), never the raw URL, so the series stay bounded
 * by the routes the service declares; requests no route matched share one `unmatched` series. The
 * per-request work is one hook, a map lookup for the route's children and two increments and one
 * observation; nothing is computed until a scrape.
 */
type Children = {
  duration: ReturnType<Histogram['labels']>
  byStatus: Map<number, ReturnType<Counter['labels']>>
  errors4xx?: ReturnType<Counter['labels']>
  errors5xx?: ReturnType<Counter['labels']>
}

/**
 * The RED series in `registry`, and the function that records one answered request: route is the
 * route's pattern, undefined when no route matched. What the plugin's onResponse hook calls.
 */
export function requestRecorder(registry: Registry): (method: string, pattern: string | undefined, status: number, elapsedMs: number) => void {
  const registers = [registry]
  const requests = new Counter({
    name: 'http_server_requests_total',
    help: 'HTTP requests answered, by method, route pattern (unmatched: no route) and status code',
    labelNames: ['method', 'route', 'status_code'],
    registers,
  })
  const errors = new Counter({
    name: 'http_server_errors_total',
    help: 'HTTP requests answered with a 4xx or 5xx status, by method, route pattern and class (4xx, 5xx)',
    labelNames: ['method', 'route', 'class'],
    registers,
  })
  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Time from request to response end, by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: DURATION_BUCKETS,
    registers,
  })
  // prom-client hashes the label values on every call; the children of a (method, route) are kept
  const children = new Map<string, Children>()
  return (method, pattern, status, elapsedMs) => {
    const route = pattern ?? UNMATCHED_ROUTE
    const key = `${method} ${route}`
    let c = children.get(key)
    if (c === undefined) {
      c = { duration: duration.labels(method, route), byStatus: new Map() }
      children.set(key, c)
    }
    let counter = c.byStatus.get(status)
    if (counter === undefined) {
      counter = requests.labels(method, route, String(status))
      c.byStatus.set(status, counter)
    }
    counter.inc()
    if (status >= 500) (c.errors5xx ??= errors.labels(method, route, '5xx')).inc()
    else if (status >= 400) (c.errors4xx ??= errors.labels(method, route, '4xx')).inc()
    c.duration.observe(elapsedMs / 1000)
  }
}

export default fp(
  async function requestMetrics(app: FastifyInstance) {
    const record = requestRecorder(app.prometheus)
    app.addHook('onResponse', (request, reply, done) => {
      const pattern = request.routeOptions.url
      if (pattern === undefined || !UNMEASURED.has(pattern)) record(request.method, pattern, reply.statusCode, reply.elapsedTime)
      done()
    })
  },
  { name: 'sunbae-request-metrics', dependencies: ['sunbae-health'] },
)
