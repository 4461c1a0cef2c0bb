import type { DomainEvent, MatchEndedV1, MentorProfileV1, MentorSuspendedV1, RequestAcceptedV1 } from '@sunbae/contracts'
import type { Tx } from '../db/database.ts'
import type { ReadModelRepository } from './readmodel.repository.ts'

/** The event that says it: its time and id order versions of the same mentor. */
type Version = Pick<DomainEvent, 'id' | 'occurredAt'>

/** What the catalog and matching subscriptions do: keep meeting's read model of mentors and matches. */
export class ReadModelEventHandlers {
  readonly #repo: ReadModelRepository
  constructor(repo: ReadModelRepository) {
    this.#repo = repo
  }

  /** catalog.mentor.approved / updated / reinstated: the profile as of this event. */
  async onMentorProfile(d: MentorProfileV1, version: Version, trx: Tx): Promise<void> {
    await this.#mentor(d, d.status, version, trx)
  }

  async onMentorSuspended(d: MentorSuspendedV1, version: Version, trx: Tx): Promise<void> {
    await this.#mentor(d, 'suspended', version, trx)
  }

  async #mentor(d: MentorProfileV1, status: string, version: Version, trx: Tx): Promise<void> {
    await this.#repo.upsertMentor(
      { id: d.id.toLowerCase(), uid: d.uid, status, timezone: d.timezone, version_at: version.occurredAt, version_id: version.id },
      trx,
    )
  }

  /** matching.request.accepted opens a match, matching.match.ended closes it; either may come first on a replay. */
  async onRequestAccepted(d: RequestAcceptedV1, trx: Tx): Promise<void> {
    await this.#repo.matchAccepted(matchOf(d), d.acceptedAt, trx)
  }

  async onMatchEnded(d: MatchEndedV1, trx: Tx): Promise<void> {
    await this.#repo.matchEnded(matchOf(d), d.endedAt, trx)
  }
}

const matchOf = (d: RequestAcceptedV1 | MatchEndedV1) => ({ match_id: d.matchId, mentor_id: d.mentorId.toLowerCase(), mentor_uid: d.mentorUid, mentee_uid: d.menteeUid })
