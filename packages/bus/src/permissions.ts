import { busInboxPrefix, type BusUser } from '@sunbae/contracts'

/** A NATS user's subject permissions (nats-server `permissions` block; everything not allowed is denied). */
export interface NatsPermissions {
  publish: { allow: string[] }
  subscribe: { allow: string[] }
}

const API = '$JS.API'

/**
 * The subjects a bus user (from @sunbae/contracts `busUser`) may publish to and subscribe to, as
 * narrow as NATS 2.9 allows:
 *
 * - the subjects of the domain streams it owns (`payment.>`: each domain has one publisher), its
 *   telemetry subjects, `dlq.<durable>.<filter>` for each of its durables (where the consumer core
 *   dead-letters);
 * - JetStream's API per stream and per durable: `STREAM.INFO`/`STREAM.CREATE` of the streams it uses
 *   (declared idempotently at boot), `STREAM.UPDATE` only of those it owns; `CONSUMER.INFO`,
 *   `CONSUMER.CREATE.<stream>.<durable>.<filter>` (2.9's create API names the filter), `MSG.NEXT` and
 *   the acks `$JS.ACK.<stream>.<durable>.>` of its own durables — never another service's;
 * - an ordered consumer's name is random (one subject token, which a permission cannot match by
 *   prefix), so a follower may create any consumer *with its filter* on that stream and pull from
 *   any consumer there, and read a message of it by sequence or subject (`STREAM.MSG.GET`: where its
 *   replay ends); it cannot ack, delete or purge anything;
 * - replies only on its own inbox prefix (`_INBOX_<user>.>`): pull deliveries and API answers to one
 *   service cannot be read by another.
 */
export function natsPermissions(user: BusUser): NatsPermissions {
  const publish = new Set<string>([...user.publishes, ...user.telemetry, `${API}.INFO`])
  for (const s of user.streams) {
    publish.add(`${API}.STREAM.INFO.${s.name}`)
    publish.add(`${API}.STREAM.CREATE.${s.name}`)
  }
  for (const s of user.owns) publish.add(`${API}.STREAM.UPDATE.${s.name}`)
  for (const d of user.durables) {
    const stream = d.stream.name
    publish.add(`${API}.CONSUMER.INFO.${stream}.${d.durable}`)
    publish.add(`${API}.CONSUMER.CREATE.${stream}.${d.durable}.${d.filterSubject}`)
    publish.add(`${API}.CONSUMER.MSG.NEXT.${stream}.${d.durable}`)
    publish.add(`$JS.ACK.${stream}.${d.durable}.>`)
    publish.add(`dlq.${d.durable}.${d.filterSubject}`)
  }
  for (const f of user.follows) {
    const stream = f.stream.name
    publish.add(`${API}.STREAM.INFO.${stream}`)
    publish.add(`${API}.CONSUMER.CREATE.${stream}.*.${f.filterSubject}`)
    publish.add(`${API}.CONSUMER.MSG.NEXT.${stream}.*`)
    // where a follower's replay ends (the last message on its filter: `last_by_subj`)
    publish.add(`${API}.STREAM.MSG.GET.${stream}`)
  }
  if (user.deadLetterAdmin) {
    const dlq = 'DEADLETTER'
    publish.add(`${API}.STREAM.MSG.GET.${dlq}`)
    publish.add(`${API}.STREAM.MSG.DELETE.${dlq}`)
    // a redrive publishes the event again on its original subject: any domain stream's, nothing else
    for (const subject of user.redrives) publish.add(subject)
  }
  return { publish: { allow: [...publish].sort() }, subscribe: { allow: [`${busInboxPrefix(user.name)}.>`] } }
}

/** A user of the rendered server config: its nkey (public key) and what it may do. */
export interface NatsAuthUser {
  user: BusUser
  /** the public nkey (U…) the user signs the server's nonce with */
  nkey: string
  /** said in the comment above the entry */
  note?: string
}

const quote = (s: string) => JSON.stringify(s)

/** nats-server's `authorization.timeout`, seconds */
export const AUTH_TIMEOUT_S = 10

/**
 * The nats-server `authorization` block for these users (nats-server 2.9 config syntax), with a
 * comment naming each user. A file holding only this block is a valid config (`nats-server -c`);
 * listen address, JetStream and monitoring come from the command line or an including file.
 * It holds public keys only: nothing in it lets anyone connect.
 */
export function renderAuthorization(users: readonly NatsAuthUser[], header = ''): string {
  const lines: string[] = []
  if (header) lines.push(...header.split('\n').map((l) => `# ${l}`.trimEnd()), '')
  // seconds a client has to sign in after the server's INFO: the 2 s default dropped processes still
  // busy starting on a loaded machine (npm start at load 25: the gateway never got in)
  lines.push('authorization {', `  timeout: ${AUTH_TIMEOUT_S}`, '  users = [')
  for (const { user, nkey, note } of users) {
    const p = natsPermissions(user)
    lines.push(`    # ${user.name}${note ? ` (${note})` : ''}`)
    lines.push(`    {`)
    lines.push(`      nkey: ${quote(nkey)}`)
    lines.push(`      permissions: {`)
    lines.push(`        publish: { allow: [`)
    for (const s of p.publish.allow) lines.push(`          ${quote(s)}`)
    lines.push(`        ] }`)
    lines.push(`        subscribe: { allow: [${p.subscribe.allow.map(quote).join(', ')}] }`)
    lines.push(`      }`)
    lines.push(`    }`)
  }
  lines.push('  ]', '}', '')
  return lines.join('\n')
}
