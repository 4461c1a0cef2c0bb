import type { Database, Tx } from '@sunbae/db'
import type { FastifyInstance } from 'fastify'
import { v7 as uuidv7 } from 'uuid'
import {
  MatchingEvents,
  type ChatRequest,
  type CreateChatRequestBody,
  type EventActor,
  type AdminRequestListQuery,
  type Identity,
  type Paged,
  type RequestState,
} from '@sunbae/contracts'
import { actorOf, AppError, conflict, forbidden, notFound } from '@sunbae/service-kit'
import { isUniqueViolation } from '@sunbae/db'
import type { DB } from '../db/types.ts'
import { MatchesRepository } from '../matches/matches.repository.ts'
import type { MentorsRepository } from '../readmodel/mentors.repository.ts'
import { SettingsRepository } from '../settings/settings.repository.ts'
import { RequestsRepository, type Terminal } from './requests.repository.ts'
import type { RequestRow, RequestWithMentor } from './requests.table.ts'

type Events = FastifyInstance['events']

export interface RequestPolicy {
  /** how long a request waits for an answer */
  ttlSeconds: number
  /** requests a mentee may send in any 24 hours */
  dailyLimit: number
}

const iso = (d: Date | string) => new Date(d).toISOString()
export const SYSTEM: EventActor = { type: 'system', id: null }

export function toChatRequest(row: RequestWithMentor): ChatRequest {
  return {
    id: row.id,
    state: row.state as RequestState,
    mentor: { id: row.mentor_id, uid: row.mentor_uid, displayName: row.mentor_name, headline: row.mentor_headline },
    mentee: { uid: row.mentee_uid, displayName: row.mentee_account_name ?? row.mentee_name },
    message: row.message,
    reason: row.reason,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    decidedAt: row.decided_at ? iso(row.decided_at) : null,
    matchId: row.match_id,
  }
}

const parties = (r: RequestRow) => ({ requestId: r.id, mentorId: r.mentor_id, mentorUid: r.mentor_uid, menteeUid: r.mentee_uid })
const requestSubject = (r: RequestRow) => ({ type: 'chat_request', id: r.id })

/**
 * The 1:1 chat request lifecycle: pending → accepted | declined | cancelled | expired. Every
 * transition is one conditional UPDATE (… WHERE state = 'pending' AND expires_at > now()) and its
 * event goes to the outbox in the same transaction, so each transition happens — and is
 * published — exactly once, whatever races it.
 */
export class RequestsService {
  readonly #db: Database<DB>
  readonly #repo: RequestsRepository
  readonly #matches: MatchesRepository
  readonly #settings: SettingsRepository
  readonly #mentors: MentorsRepository
  readonly #events: Events
  readonly #policy: RequestPolicy

  constructor(db: Database<DB>, events: Events, mentors: MentorsRepository, policy: RequestPolicy) {
    this.#db = db
    this.#repo = new RequestsRepository(db)
    this.#matches = new MatchesRepository(db)
    this.#settings = new SettingsRepository(db)
    this.#mentors = mentors
    this.#events = events
    this.#policy = policy
  }

  get repository(): RequestsRepository {
    return this.#repo
  }

  async create(identity: Identity, body: CreateChatRequestBody): Promise<ChatRequest> {
    const mentorId = body.mentorId.toLowerCase()
    const id = await this.#db
      .transaction()
      .execute(async (trx) => {
        const mentor = await this.#mentors.findById(mentorId, trx)
        if (!mentor || mentor.status !== 'active') throw notFound('No such mentor', 'MENTOR_NOT_FOUND')
        if (mentor.uid === identity.uid) throw conflict('You cannot send a request to yourself', 'OWN_PROFILE')
        if (mentor.uid === null) {
          throw conflict('This mentor has no account on Sunbae yet, so nobody could answer a request', 'MENTOR_UNREACHABLE')
        }
        // one mentee's creations run one at a time, on every replica: the count below stays true
        await this.#repo.lockMentee(identity.uid, trx)
        const sent = await this.#repo.sentInLastDay(identity.uid, trx)
        if (sent >= this.#policy.dailyLimit) {
          throw new AppError(429, 'DAILY_REQUEST_LIMIT', `You can send ${this.#policy.dailyLimit} requests in 24 hours; try again later`)
        }
        if (await this.#repo.findOpen(identity.uid, mentorId, trx)) {
          throw conflict('You already have an open request with this mentor', 'REQUEST_OPEN')
        }
        if (await this.#matches.findActive(mentorId, identity.uid, trx)) {
          throw conflict('You are already matched with this mentor', 'ALREADY_MATCHED')
        }
        const settings = await this.#settings.find(mentorId, trx)
        if (settings?.is_full) {
          throw conflict(`This mentor is full (${settings.active_mentees} of ${settings.capacity} mentees); try again when a place frees up`, 'MENTOR_FULL')
        }
        const row = await this.#repo.insert(
          {
            id: uuidv7(),
            mentee_uid: identity.uid,
            mentee_name: identity.name,
            mentor_id: mentorId,
            mentor_uid: mentor.uid,
            message: body.message.trim(),
          },
          this.#policy.ttlSeconds,
          trx,
        )
        await this.#events.publish(
          trx,
          MatchingEvents.requestCreated,
          { ...parties(row), message: row.message, createdAt: iso(row.created_at), expiresAt: iso(row.expires_at) },
          { actor: actorOf(identity), subject: requestSubject(row) },
        )
        return row.id
      })
      .catch((err: unknown) => {
        // the partial unique index is the last word on "one open request per pair"
        if (isUniqueViolation(err)) throw conflict('You already have an open request with this mentor', 'REQUEST_OPEN')
        throw err
      })
    this.#events.flushSoon()
    return this.get(identity, id)
  }

  /** Either party may read a request; anyone else gets 403. */
  async get(identity: Identity, id: string): Promise<ChatRequest> {
    const row = await this.#repo.findById(id)
    if (!row) throw notFound('No such request', 'REQUEST_NOT_FOUND')
    if (row.mentee_uid !== identity.uid && row.mentor_uid !== identity.uid) throw forbidden('This request is not yours', 'NOT_YOUR_REQUEST')
    return toChatRequest(row)
  }

  async list(identity: Identity, q: { box: 'inbox' | 'outbox'; state?: RequestState; page: number; pageSize: number }): Promise<Paged<ChatRequest>> {
    const { rows, total } = await this.#repo.list({ ...q, uid: identity.uid })
    return { items: rows.map(toChatRequest), total, page: q.page, pageSize: q.pageSize }
  }

  async adminList(q: AdminRequestListQuery): Promise<Paged<ChatRequest>> {
    const page = q.page ?? 1
    const pageSize = q.pageSize ?? 50
    const { rows, total } = await this.#repo.adminList(
      { state: q.state, mentorId: q.mentorId?.toLowerCase(), mentorUid: q.mentorUid, menteeUid: q.menteeUid, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined },
      { page, pageSize },
    )
    return { items: rows.map(toChatRequest), total, page, pageSize }
  }

  /**
   * The addressed mentor accepts: under the lock of the mentor's settings row the capacity is
   * checked, the request moves to accepted, the match is created, the active count goes up and
   * `matching.request.accepted` (with both uids, for chat-bridge) is written — one transaction.
   * Two accepts at the same moment: the second waits for the lock, then finds the request no
   * longer pending (409) — one match.
   */
  async accept(identity: Identity, id: string): Promise<ChatRequest> {
    await this.#db.transaction().execute(async (trx) => {
      const req = await this.#addressedTo(identity, id, trx)
      const mentor = await this.#mentors.findById(req.mentor_id, trx)
      if (!mentor || mentor.status !== 'active') throw conflict('Your mentor profile is suspended: you cannot accept requests now', 'MENTOR_SUSPENDED')
      const settings = await this.#settings.lock(req.mentor_id, req.mentor_uid, trx)
      if (settings.capacity !== null && settings.active_mentees >= settings.capacity) {
        throw conflict(`You are at your capacity (${settings.active_mentees} of ${settings.capacity} mentees): end a match or raise the capacity first`, 'MENTOR_FULL')
      }
      const matchId = uuidv7()
      const row = await this.#transition(id, 'accepted', { matchId }, trx)
      await this.#matches.insert({ id: matchId, requestId: row.id, mentorId: row.mentor_id, mentorUid: row.mentor_uid, menteeUid: row.mentee_uid }, trx).catch((err: unknown) => {
        if (isUniqueViolation(err)) throw conflict('You are already matched with this mentee', 'ALREADY_MATCHED')
        throw err
      })
      await this.#settings.addActive(row.mentor_id, 1, trx)
      await this.#events.publish(
        trx,
        MatchingEvents.requestAccepted,
        { ...parties(row), matchId, message: row.message, acceptedAt: iso(row.decided_at!) },
        { actor: actorOf(identity), subject: requestSubject(row) },
      )
    })
    this.#events.flushSoon()
    return this.get(identity, id)
  }

  async decline(identity: Identity, id: string, reason: string): Promise<ChatRequest> {
    await this.#db.transaction().execute(async (trx) => {
      await this.#addressedTo(identity, id, trx)
      const row = await this.#transition(id, 'declined', { reason: reason.trim() }, trx)
      await this.#events.publish(
        trx,
        MatchingEvents.requestDeclined,
        { ...parties(row), reason: row.reason!, declinedAt: iso(row.decided_at!) },
        { actor: actorOf(identity), subject: requestSubject(row) },
      )
    })
    this.#events.flushSoon()
    return this.get(identity, id)
  }

  /** Only the mentee who sent it may cancel, while it is pending. */
  async cancel(identity: Identity, id: string): Promise<ChatRequest> {
    await this.#db.transaction().execute(async (trx) => {
      const req = await this.#repo.findById(id, trx)
      if (!req) throw notFound('No such request', 'REQUEST_NOT_FOUND')
      if (req.mentee_uid !== identity.uid) throw forbidden('Only the mentee who sent a request can cancel it', 'NOT_YOUR_REQUEST')
      const row = await this.#transition(id, 'cancelled', {}, trx)
      await this.#events.publish(
        trx,
        MatchingEvents.requestCancelled,
        { ...parties(row), cancelledAt: iso(row.decided_at!) },
        { actor: actorOf(identity), subject: requestSubject(row) },
      )
    })
    this.#events.flushSoon()
    return this.get(identity, id)
  }

  /**
   * One sweep step: expires up to `limit` overdue requests and writes one `matching.request.expired`
   * per row in the same transaction. Safe with any number of replicas sweeping at once.
   */
  async expireDue(limit: number): Promise<number> {
    const n = await this.#db.transaction().execute(async (trx) => {
      const rows = await this.#repo.expireDue(limit, trx)
      await this.#events.publishMany(
        trx,
        MatchingEvents.requestExpired,
        rows.map((row) => ({ data: { ...parties(row), expiredAt: iso(row.decided_at!) }, meta: { actor: SYSTEM, subject: requestSubject(row) } })),
      )
      return rows.length
    })
    if (n > 0) this.#events.flushSoon()
    return n
  }

  /** The request, if the caller is the mentor it was sent to (404 / 403 otherwise). */
  async #addressedTo(identity: Identity, id: string, trx: Tx<DB>): Promise<RequestRow> {
    const req = await this.#repo.findById(id, trx)
    if (!req) throw notFound('No such request', 'REQUEST_NOT_FOUND')
    if (req.mentor_uid !== identity.uid) throw forbidden('Only the mentor this request was sent to can answer it', 'NOT_ADDRESSED_MENTOR')
    return req
  }

  async #transition(id: string, to: Terminal, extra: { reason?: string; matchId?: string }, trx: Tx<DB>): Promise<RequestRow> {
    const row = await this.#repo.transition(id, to, extra, trx)
    if (row) return row
    // lost the race or too late: say which, from the row as it is now
    const now = await this.#repo.findById(id, trx)
    if (!now) throw notFound('No such request', 'REQUEST_NOT_FOUND')
    // still pending, yet the conditional update missed it: only its expiry can have failed
    if (now.state === 'expired' || now.state === 'pending') {
      throw conflict('The request has expired', 'REQUEST_EXPIRED')
    }
    throw conflict(`The request was already ${now.state}`, 'REQUEST_NOT_PENDING')
  }
}
