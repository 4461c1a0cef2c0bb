import { isIP } from 'node:net'
import type { FastifyRequest, FastifyServerOptions } from 'fastify'

/**
 * Who the client is. Fastify's `trustProxy` (proxy-addr underneath) decides which hops may speak
 * for the client; this module only turns TRUST_PROXY into that option — refusing malformed values
 * at boot, with the variable named — and reads the result back from the request.
 *
 * TRUST_PROXY:
 * - empty: nobody is trusted, the socket peer is the client (X-Forwarded-* from outside are ignored);
 * - IPs/CIDRs, comma-separated, with proxy-addr's shorthands `loopback`, `linklocal`, `uniquelocal`
 *   (`private` is accepted for `uniquelocal`): a hop is a proxy when its address is listed, and the
 *   client is the first address, walking from the socket, that is not. Behind an AWS load balancer
 *   that is the VPC's CIDR.
 * A hop count is refused: it cannot tell a proxy from a client that sends enough X-Forwarded-For
 * entries itself (Fastify 5 ignores numeric trustProxy for that reason).
 */
export interface ClientAddress {
  ip: string
  /** the X-Forwarded-For to send upstream: the trusted chain, client first, ending with our peer */
  forwardedFor: string
}

const SHORTHANDS = new Set(['loopback', 'linklocal', 'uniquelocal'])
const ALIASES: Record<string, string> = { private: 'uniquelocal' }

/** TRUST_PROXY → Fastify's `trustProxy`; throws (with a message for the variable) when malformed. */
export function trustProxyOption(value: string): FastifyServerOptions['trustProxy'] {
  const trimmed = value.trim()
  if (trimmed === '' || trimmed === 'false' || trimmed === '0') return false
  if (/^\d+$/.test(trimmed)) {
    throw new Error('a hop count cannot tell a proxy from a spoofing client; list the proxies\' IPs or CIDRs (e.g. the VPC CIDR)')
  }
  const entries = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => ALIASES[s] ?? s)
  for (const entry of entries) {
    if (SHORTHANDS.has(entry)) continue
    const [addr, bits, extra] = entry.split('/')
    const version = isIP(addr ?? '')
    const prefixOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (version === 6 ? 128 : 32))
    if (version === 0 || !prefixOk || extra !== undefined) {
      throw new Error(`"${entry}" is not an IP address, a CIDR or one of ${[...SHORTHANDS].join(', ')}`)
    }
  }
  return entries.join(',')
}

/** `::ffff:10.0.0.1` → `10.0.0.1` */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}

/**
 * The client as Fastify resolved it. `request.ips` (set only when some proxy is trusted) runs from
 * our peer outwards and stops at the first untrusted hop, i.e. the client.
 */
export function clientAddress(request: FastifyRequest): ClientAddress {
  const chain = request.ips
  if (chain === undefined || chain.length <= 1) {
    const ip = normalizeIp(request.ip ?? request.raw.socket.remoteAddress ?? '')
    return { ip, forwardedFor: ip }
  }
  const hops = chain.map(normalizeIp)
  return { ip: hops[hops.length - 1]!, forwardedFor: hops.reverse().join(', ') }
}
