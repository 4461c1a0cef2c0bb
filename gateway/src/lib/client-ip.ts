import { BlockList, isIPv6 } from 'node:net'
import type { IncomingMessage } from 'node:http'

/**
 * The client's address, honouring X-Forwarded-For only from trusted proxies (TRUST_PROXY):
 * - empty: nobody is trusted, the socket peer is the client;
 * - a number N: the N closest hops are proxies (e.g. 1 behind one load balancer);
 * - IPs/CIDRs (comma-separated; `loopback` and `private` are shorthands): a hop is a proxy when its
 *   address is listed, and the client is the first address, walking from the socket, that is not.
 */
export interface ClientAddress {
  ip: string
  /** the X-Forwarded-For to send upstream: the trusted chain, client first, ending with our peer */
  forwardedFor: string
  /** whether the peer is a trusted proxy (then its X-Forwarded-Proto/Host count) */
  viaTrustedProxy: boolean
}

export type ClientAddressResolver = (req: IncomingMessage) => ClientAddress

const SHORTHANDS: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
}

/** `::ffff:10.0.0.1` → `10.0.0.1` */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}

function family(ip: string): 'ipv4' | 'ipv6' {
  return isIPv6(ip) ? 'ipv6' : 'ipv4'
}

function parseTrust(value: string): { hops: number } | { list: BlockList } | null {
  const trimmed = value.trim()
  if (trimmed === '' || trimmed === 'false' || trimmed === '0') return null
  if (/^\d+$/.test(trimmed)) return { hops: Number(trimmed) }
  const list = new BlockList()
  for (const raw of trimmed.split(',').map((s) => s.trim()).filter(Boolean)) {
    for (const entry of SHORTHANDS[raw] ?? [raw]) {
      const [addr, bits] = entry.split('/') as [string, string | undefined]
      const fam = family(addr)
      if (bits === undefined) list.addAddress(addr, fam)
      else {
        const prefix = Number(bits)
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (fam === 'ipv4' ? 32 : 128)) throw new Error(`bad CIDR ${entry}`)
        list.addSubnet(addr, prefix, fam)
      }
    }
  }
  return { list }
}

function safeCheck(list: BlockList, ip: string): boolean {
  try {
    return list.check(ip, family(ip))
  } catch {
    return false // not an IP address at all (a spoofed header value)
  }
}

export function createClientAddressResolver(trustProxy: string): ClientAddressResolver {
  const trust = parseTrust(trustProxy)
  const peerOf = (req: IncomingMessage) => normalizeIp(req.socket.remoteAddress ?? '')

  if (trust === null) {
    return (req) => {
      const ip = peerOf(req)
      return { ip, forwardedFor: ip, viaTrustedProxy: false }
    }
  }

  const isTrusted = 'hops' in trust ? null : (ip: string) => safeCheck(trust.list, ip)
  return (req) => {
    const peer = peerOf(req)
    const header = req.headers['x-forwarded-for']
    const peerTrusted = isTrusted ? isTrusted(peer) : (trust as { hops: number }).hops > 0
    if (!header || !peerTrusted) return { ip: peer, forwardedFor: peer, viaTrustedProxy: peerTrusted }
    // closest first: the peer, then the X-Forwarded-For entries from the right
    const hops = [peer, ...(Array.isArray(header) ? header.join(',') : header).split(',').map((s) => normalizeIp(s.trim())).reverse()]
    let client = hops.length - 1
    for (let i = 0; i < hops.length; i++) {
      const proxy = isTrusted ? isTrusted(hops[i]!) : i < (trust as { hops: number }).hops
      if (!proxy) {
        client = i
        break
      }
    }
    const ip = hops[client] || peer
    return { ip, forwardedFor: hops.slice(0, client + 1).reverse().join(', '), viaTrustedProxy: true }
  }
}
