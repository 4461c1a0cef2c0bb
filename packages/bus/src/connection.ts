import { connect } from '@nats-io/transport-node'
import { nkeyAuthenticator, type NatsConnection } from '@nats-io/nats-core'
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream'
import { defaultLogger, type BusLogger } from './logger.ts'

export interface BusOptions {
  servers: string | string[]
  /** connection name shown by the server (`nats server report connections`), e.g. the service name */
  name: string
  logger?: BusLogger
  /** wait between reconnect attempts; default 2000 ms */
  reconnectTimeWaitMs?: number
  /**
   * the user's nkey seed (SU…): the connection signs the server's nonce with it (nothing secret goes
   * over the wire). Unset: no authentication (a server without users).
   */
  nkeySeed?: string
  /**
   * prefix of every reply subject (JetStream API answers, pull deliveries, publish acks); a server
   * with per-user permissions lets each user subscribe only under its own (`busInboxPrefix`)
   */
  inboxPrefix?: string
}

export interface Bus {
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  logger: BusLogger
  /** the prefix of this connection's reply subjects (`_INBOX` unless BusOptions set one) */
  inboxPrefix?: string
  /**
   * The durable consumers pulling on this connection now (`startConsumer`, `startBatchConsumer`
   * add themselves when they start pulling and leave when stopped): what `consumerLag` and
   * `deadLetterCounts` sample for the service's /metrics.
   */
  readonly durables: Set<{ readonly stream: string; readonly durable: string }>
  /** `listener` runs each time the connection comes back after a loss (the outbox relay resumes) */
  onReconnect(listener: () => void): void
  /** round trip to the server in ms; rejects when the connection is down (readiness probes) */
  ping(): Promise<number>
  /** finishes in-flight work (subscriptions, pending publishes), then closes */
  drain(): Promise<void>
  close(): Promise<void>
}

export async function connectBus(opts: BusOptions): Promise<Bus> {
  const logger = opts.logger ?? defaultLogger
  const nc = await connect({
    servers: opts.servers,
    name: opts.name,
    // A service outlives NATS restarts: never give up, the orchestrator decides when we are dead.
    maxReconnectAttempts: -1,
    reconnectTimeWait: opts.reconnectTimeWaitMs ?? 2000,
    ...(opts.nkeySeed ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(opts.nkeySeed)) } : {}),
    ...(opts.inboxPrefix ? { inboxPrefix: opts.inboxPrefix } : {}),
  })
  // false between a 'disconnect' and the next 'reconnect': there is nothing to drain into meanwhile
  const state = { connected: true, onReconnect: [] as (() => void)[] }
  void watchStatus(nc, logger, state)
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  logger.info({ server: nc.getServer(), name: opts.name }, 'bus connected')

  const close = async () => {
    if (!nc.isClosed()) await nc.close()
  }
  return {
    nc,
    js,
    jsm,
    logger,
    inboxPrefix: opts.inboxPrefix ?? '_INBOX',
    durables: new Set(),
    onReconnect: (listener) => void state.onReconnect.push(listener),
    ping: () => nc.rtt(),
    drain: async () => {
      if (nc.isClosed() || nc.isDraining()) return nc.closed().then(() => undefined)
      // NATS unreachable: a drain would wait for a server that is not there (and the reconnect timer
      // would keep the process alive) — what is unpublished stays in the outbox, so just close
      if (!state.connected) return close()
      try {
        await nc.drain()
      } catch (err) {
        logger.warn({ err }, 'bus drain failed, closing')
        await close()
      }
    },
    close,
  }
}

async function watchStatus(nc: NatsConnection, logger: BusLogger, state: { connected: boolean; onReconnect: (() => void)[] }): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect') state.connected = false
    else if (s.type === 'reconnect') {
      state.connected = true
      for (const listener of state.onReconnect) {
        try {
          listener()
        } catch (err) {
          logger.error({ err }, 'a reconnect listener failed')
        }
      }
    }
    switch (s.type) {
      case 'disconnect':
      case 'staleConnection':
      case 'slowConsumer':
        logger.warn({ status: s }, `bus ${s.type}`)
        break
      case 'error':
        logger.error({ status: { type: s.type, error: String(s.error) } }, 'bus error')
        break
      case 'reconnect':
      case 'close':
        logger.info({ status: s }, `bus ${s.type}`)
        break
      default:
        logger.debug({ status: s }, `bus ${s.type}`)
    }
  }
}
