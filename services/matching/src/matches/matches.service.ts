import type { Database } from '@sunbae/db'
import type { FastifyInstance } from 'fastify'
import { MatchingEvents, type AdminMatchListQuery, type Identity, type Match, type Paged } from '@sunbae/contracts'
import { actorOf, conflict, forbidden, notFound } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import type { MatchWithParties } from '../requests/requests.table.ts'
import { SettingsRepository } from '../settings/settings.repository.ts'
import { MatchesRepository } from './matches.repository.ts'

type Events = FastifyInstance['events']
const iso = (d: Date | string) => new Date(d).toISOString()

export function toMatch(row: MatchWithParties): Match {
  return {
    id: row.id,
    requestId: row.request_id,
    state: row.state === 'ended' ? 'ended' : 'active',
    mentor: { id: row.mentor_id, uid: row.mentor_uid, displayName: row.mentor_name, headline: row.mentor_headline },
    mentee: { uid: row.mentee_uid, displayName: row.mentee_name },
    createdAt: iso(row.created_at),
    endedAt: row.ended_at ? iso(row.ended_at) : null,
    endedBy: row.ended_by === 'mentee' || row.ended_by === 'mentor' || row.ended_by === 'admin' ? row.ended_by : null,
    endReason: row.end_reason,
  }
}

/** "Mentors matched with me" (mentee) and "my mentees" (mentor); either side may end a match. */
export class MatchesService {
  readonly #db: Database<DB>
  readonly #repo: MatchesRepository
  readonly #settings: SettingsRepository
  readonly #events: Events

  constructor(db: Database<DB>, events: Events) {
    this.#db = db
    this.#repo = new MatchesRepository(db)
    this.#settings = new SettingsRepository(db)
    this.#events = events
  }

  async list(identity: Identity, q: { as: 'mentee' | 'mentor'; state?: 'active' | 'ended'; page: number; pageSize: number }): Promise<Paged<Match>> {
    const { rows, total } = await this.#repo.list({ ...q, uid: identity.uid })
    return { items: rows.map(toMatch), total, page: q.page, pageSize: q.pageSize }
  }

  async get(identity: Identity, id: string): Promise<Match> {
    const row = await this.#repo.findById(id)
    if (!row) throw notFound('No such match', 'MATCH_NOT_FOUND')
    if (row.mentee_uid !== identity.uid && row.mentor_uid !== identity.uid) throw forbidden('This match is not yours', 'NOT_YOUR_MATCH')
    return toMatch(row)
  }

  /** Ends an active match (either side); the mentor's place frees up in the same transaction. */
  async end(identity: Identity, id: string, reason: string | null): Promise<Match> {
    await this.#end(identity, id, reason, (match) => {
      const by = match.mentee_uid === identity.uid ? 'mentee' : match.mentor_uid === identity.uid ? 'mentor' : null
      if (!by) throw forbidden('Only the mentor or the mentee of a match can end it', 'NOT_YOUR_MATCH')
      return by
    })
    return this.get(identity, id)
  }

  /** An admin ends an active match, with why (the event's actor is the admin; endedBy 'admin'). */
  async adminEnd(admin: Identity, id: string, reason: string): Promise<Match> {
    await this.#end(admin, id, reason.trim(), () => 'admin')
    return toMatch((await this.#repo.findById(id))!)
  }

  async adminList(q: AdminMatchListQuery): Promise<Paged<Match>> {
    const page = q.page ?? 1
    const pageSize = q.pageSize ?? 50
    const { rows, total } = await this.#repo.adminList(
      { state: q.state, mentorId: q.mentorId?.toLowerCase(), mentorUid: q.mentorUid, menteeUid: q.menteeUid, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined },
      { page, pageSize },
    )
    return { items: rows.map(toMatch), total, page, pageSize }
  }

  async #end(actor: Identity, id: string, reason: string | null, who: (m: MatchWithParties) => 'mentee' | 'mentor' | 'admin'): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const match = await this.#repo.findById(id, trx)
      if (!match) throw notFound('No such match', 'MATCH_NOT_FOUND')
      const by = who(match)
      // the settings row first, as accept does: the count and the capacity check stay consistent
      await this.#settings.lock(match.mentor_id, match.mentor_uid, trx)
      const row = await this.#repo.end(id, by, reason, trx)
      if (!row) throw conflict('The match has already ended', 'MATCH_ENDED')
      await this.#settings.addActive(row.mentor_id, -1, trx)
      await this.#events.publish(
        trx,
        MatchingEvents.matchEnded,
        {
          matchId: row.id,
          requestId: row.request_id,
          mentorId: row.mentor_id,
          mentorUid: row.mentor_uid,
          menteeUid: row.mentee_uid,
          endedBy: by,
          reason,
          endedAt: iso(row.ended_at!),
        },
        { actor: actorOf(actor), subject: { type: 'match', id: row.id } },
      )
    })
    this.#events.flushSoon()
  }
}
