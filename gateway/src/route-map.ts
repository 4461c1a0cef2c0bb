import type { GatewayConfig } from './config.ts'
import { GatewayConfigError } from './config.ts'

/**
 * Which service owns which path prefix. Services see the full `/api/...` path (no prefix rewrite).
 * Override the whole map with GATEWAY_ROUTES='{"/api/prefix": "<service name or URL>"}'.
 */
export const SERVICES = ['mentor-catalog', 'matching', 'meeting', 'payment', 'chat-bridge', 'tracking', 'notification'] as const
export type ServiceName = (typeof SERVICES)[number]

export const DEFAULT_ROUTES: Readonly<Record<string, ServiceName>> = {
  '/api/me': 'mentor-catalog',
  '/api/mentors': 'mentor-catalog',
  '/api/admin/mentors': 'mentor-catalog',
  '/api/admin/users': 'mentor-catalog',
  '/api/admin/reviews': 'mentor-catalog',
  '/api/matching': 'matching',
  '/api/admin/matching': 'matching',
  '/api/meetings': 'meeting',
  '/api/admin/meetings': 'meeting',
  '/api/payments': 'payment',
  '/api/admin/payments': 'payment',
  '/api/chat': 'chat-bridge',
  '/api/admin/chat': 'chat-bridge',
  '/api/tracking': 'tracking',
  '/api/admin/tracking': 'tracking',
  '/api/admin/dead-letters': 'tracking',
  '/api/notifications': 'notification',
  '/api/admin/notifications': 'notification',
}

export interface ProxyRoute {
  /** path prefix, e.g. `/api/mentors`; matches the prefix itself and everything below it */
  prefix: string
  /**
   * the service it goes to — whose key signs the caller's identity (its audience): named in the map,
   * or for a bare URL the service that owns the prefix by default, else `upstream`
   */
  service: string
  /** origin of the upstream, e.g. http://127.0.0.1:4001 */
  upstream: string
}

export function serviceUrls(config: GatewayConfig): Record<ServiceName, string> {
  return {
    'mentor-catalog': config.MENTOR_CATALOG_URL,
    matching: config.MATCHING_URL,
    meeting: config.MEETING_URL,
    payment: config.PAYMENT_URL,
    'chat-bridge': config.CHAT_BRIDGE_URL,
    tracking: config.TRACKING_URL,
    notification: config.NOTIFICATION_URL,
  }
}

const PREFIX = /^\/api(\/[a-z0-9][a-z0-9._-]*)+$/

/** The route map in force: GATEWAY_ROUTES if set, else the default, with service names resolved to URLs. */
export function resolveRoutes(config: GatewayConfig): ProxyRoute[] {
  const urls = serviceUrls(config)
  let map: Record<string, unknown> = DEFAULT_ROUTES
  if (config.GATEWAY_ROUTES) {
    try {
      map = JSON.parse(config.GATEWAY_ROUTES) as Record<string, unknown>
    } catch {
      throw new GatewayConfigError('GATEWAY_ROUTES', 'is not valid JSON')
    }
    if (!map || typeof map !== 'object' || Array.isArray(map)) {
      throw new GatewayConfigError('GATEWAY_ROUTES', 'must be a JSON object {"/api/prefix": "service or URL"}')
    }
  }
  const routes: ProxyRoute[] = []
  for (const [prefix, target] of Object.entries(map)) {
    if (!PREFIX.test(prefix)) {
      throw new GatewayConfigError('GATEWAY_ROUTES', `prefix ${JSON.stringify(prefix)} must look like /api/<segment>[/<segment>…] (lowercase, no trailing slash)`)
    }
    if (typeof target !== 'string') throw new GatewayConfigError('GATEWAY_ROUTES', `target of ${prefix} must be a string`)
    if (target in urls) {
      routes.push({ prefix, service: target, upstream: new URL(urls[target as ServiceName]).origin })
    } else if (/^https?:\/\//.test(target)) {
      const url = new URL(target)
      if (url.pathname !== '/' || url.search) {
        throw new GatewayConfigError('GATEWAY_ROUTES', `target of ${prefix} must be an origin without a path (services see the full /api path)`)
      }
      // a URL says where the owner of the prefix runs (a test, a second stack), not who it is
      routes.push({ prefix, service: DEFAULT_ROUTES[prefix] ?? 'upstream', upstream: url.origin })
    } else {
      throw new GatewayConfigError('GATEWAY_ROUTES', `target of ${prefix} must be one of ${SERVICES.join(', ')} or an http(s) URL`)
    }
  }
  if (routes.length === 0) throw new GatewayConfigError('GATEWAY_ROUTES', 'maps no prefix')
  return routes
}
