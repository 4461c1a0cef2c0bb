import { Value } from 'typebox/value'
import type { Kysely, Transaction } from 'kysely'
import { sql } from 'kysely'
import type { TSchema } from 'typebox'
import { CatalogEvents, MatchingEvents, MentorProfileV1, MentorSuspendedV1, RequestAcceptedV1, MatchEndedV1, type DomainEvent } from '@sunbae/contracts'
import type { DB } from '../db/types.ts'

/** A payload that breaks its contract: retrying cannot fix it, the consumer dead-letters it. */
export function decode<T>(schema: TSchema, event: DomainEvent): T {
  if (!Value.Check(schema, event.data)) {
    const first = [...Value.Errors(schema, event.data)][0]
    throw new Error(`${event.type} payload is invalid: ${first ? `${first.instancePath} ${first.message}` : 'unknown'}`)
  }
  return event.data as T
}

const PROFILE_TYPES = new Set<string>([
  CatalogEvents.mentorApproved.type,
  CatalogEvents.mentorUpdated.type,
  CatalogEvents.mentorReinstated.type,
  CatalogEvents.mentorSuspended.type,
])

/**
 * Meeting's copies of other services' facts, written by durable consumers in the same transaction
 * as their processed-event mark: mentors (uid ↔ public id, status) and matches (who may book whom).
 */
export class ReadModelRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  /** catalog.mentor.*: the newest version wins, so redelivered or reordered events change nothing. */
  async applyCatalog(event: DomainEvent, trx: Transaction<DB>): Promise<void> {
    if (!PROFILE_TYPES.has(event.type)) return
    const suspended = event.type === CatalogEvents.mentorSuspended.type
    const d = decode<MentorProfileV1>(suspended ? MentorSuspendedV1 : MentorProfileV1, event)
    const row = {
      id: d.id.toLowerCase(),
      uid: d.uid,
      status: suspended ? 'suspended' : d.status,
      timezone: d.timezone,
      version_at: event.occurredAt,
      version_id: event.id,
    }
    await trx
      .insertInto('mentors')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ uid: row.uid, status: row.status, timezone: row.timezone, version_at: row.version_at, version_id: row.version_id })
          .where(sql<boolean>`(mentors.version_at, mentors.version_id) < (excluded.version_at, excluded.version_id)`),
      )
      .execute()
  }

  /** matching.request.accepted opens a match, matching.match.ended closes it; either may come first on a replay. */
  async applyMatching(event: DomainEvent, trx: Transaction<DB>): Promise<void> {
    if (event.type === MatchingEvents.requestAccepted.type) {
      const d = decode<RequestAcceptedV1>(RequestAcceptedV1, event)
      await trx
        .insertInto('matches')
        .values({ match_id: d.matchId, mentor_id: d.mentorId.toLowerCase(), mentor_uid: d.mentorUid, mentee_uid: d.menteeUid, accepted_at: d.acceptedAt })
        .onConflict((oc) => oc.column('match_id').doUpdateSet({ accepted_at: d.acceptedAt }))
        .execute()
    } else if (event.type === MatchingEvents.matchEnded.type) {
      const d = decode<MatchEndedV1>(MatchEndedV1, event)
      await trx
        .insertInto('matches')
        .values({ match_id: d.matchId, mentor_id: d.mentorId.toLowerCase(), mentor_uid: d.mentorUid, mentee_uid: d.menteeUid, ended_at: d.endedAt })
        .onConflict((oc) => oc.column('match_id').doUpdateSet({ ended_at: d.endedAt }))
        .execute()
    }
  }

  async mentorByUid(uid: string, trx: Kysely<DB> | Transaction<DB> = this.#db) {
    return trx.selectFrom('mentors').selectAll().where('uid', '=', uid).orderBy('version_at', 'desc').executeTakeFirst()
  }

  async mentorById(id: string, trx: Kysely<DB> | Transaction<DB> = this.#db) {
    return trx.selectFrom('mentors').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async hasActiveMatch(menteeUid: string, mentorId: string, trx: Kysely<DB> | Transaction<DB> = this.#db): Promise<boolean> {
    const row = await trx
      .selectFrom('matches')
      .select('match_id')
      .where('mentee_uid', '=', menteeUid)
      .where('mentor_id', '=', mentorId)
      .where('accepted_at', 'is not', null)
      .where('ended_at', 'is', null)
      .executeTakeFirst()
    return row !== undefined
  }
}
