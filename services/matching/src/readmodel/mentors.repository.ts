import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { MentorRecord, Rating, Version } from '../recommendations/mentor-index.ts'
import type { NewMentorRow, NewRatingRow } from './mentors.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** One mentor of the read model with the versions of its profile and rating. */
export interface StoredMentor {
  rec: MentorRecord
  version: Version
  rating: { rating: Rating; version: Version } | null
}

/** Rows per INSERT: 15 parameters each stays far below Postgres' 65,535. */
const CHUNK = 1_000

/** The columns an upsert takes from a newer incoming row (all but the key; `applied_at` is the database's now). */
const MENTOR_COLUMNS = [
  'uid', 'display_name', 'headline', 'bio', 'skills', 'company', 'years_experience', 'hourly_rate', 'languages', 'timezone', 'status', 'approved_at',
  'version_at', 'version_id',
] as const satisfies readonly (keyof NewMentorRow)[]
const RATING_COLUMNS = ['rating', 'review_count', 'version_at', 'version_id'] as const satisfies readonly (keyof NewRatingRow)[]

/** `SET column = excluded.column` for each of `columns`: the values of the row that conflicted. */
function fromExcluded<C extends string>(columns: readonly C[]): Record<C, RawBuilder<never>> {
  return Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])) as Record<C, RawBuilder<never>>
}

/** The conflict update's guard: only an incoming (version_at, version_id) newer than the stored one wins. */
const newerThanStored = (table: 'mentors' | 'mentor_ratings') =>
  sql<boolean>`(${sql.ref(`${table}.version_at`)}, ${sql.ref(`${table}.version_id`)}) < (excluded.version_at, excluded.version_id)`

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += CHUNK) yield rows.slice(i, i + CHUNK)
}

const toVersion = (at: Date | string, id: string): Version => ({ at: new Date(at).getTime(), id })

/** All SQL of the read model of mentors (fed by catalog events, read by requests and recommendations). */
export class MentorsRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  /**
   * Upserts profiles and ratings; a row changes only when the incoming version is newer than the
   * stored one, so redelivered and out-of-order events leave the newest state in place.
   */
  async apply(
    profiles: Iterable<{ rec: MentorRecord; version: Version }>,
    ratings: Iterable<{ mentorId: string; rating: Rating; version: Version }>,
    trx: Executor = this.#db,
  ): Promise<void> {
    const mentorRows: NewMentorRow[] = [...profiles].map(({ rec, version }) => ({
      mentor_id: rec.id,
      uid: rec.uid,
      display_name: rec.displayName,
      headline: rec.headline,
      bio: rec.bio,
      skills: rec.skills,
      company: rec.company,
      years_experience: rec.yearsExperience,
      hourly_rate: rec.hourlyRate,
      languages: rec.languages,
      timezone: rec.timezone,
      status: rec.status,
      approved_at: rec.approvedAt,
      version_at: new Date(version.at),
      version_id: version.id,
    }))
    for (const rows of chunks(mentorRows)) {
      await trx
        .insertInto('mentors')
        .values(rows)
        .onConflict((oc) => oc.column('mentor_id').doUpdateSet({ ...fromExcluded(MENTOR_COLUMNS), applied_at: sql`now()` }).where(newerThanStored('mentors')))
        .execute()
    }
    const ratingRows: NewRatingRow[] = [...ratings].map((r) => ({
      mentor_id: r.mentorId,
      rating: r.rating.rating.toFixed(2),
      review_count: r.rating.reviewCount,
      version_at: new Date(r.version.at),
      version_id: r.version.id,
    }))
    for (const rows of chunks(ratingRows)) {
      await trx
        .insertInto('mentor_ratings')
        .values(rows)
        .onConflict((oc) => oc.column('mentor_id').doUpdateSet(fromExcluded(RATING_COLUMNS)).where(newerThanStored('mentor_ratings')))
        .execute()
    }
  }

  /** Every mentor (suspended ones too: their versions guard the index), in id order, a page at a time. */
  async *all(batch = 5_000): AsyncGenerator<StoredMentor[]> {
    let after: string | null = null
    for (;;) {
      let q = this.#db
        .selectFrom('mentors as m')
        .leftJoin('mentor_ratings as r', 'r.mentor_id', 'm.mentor_id')
        .selectAll('m')
        .select(['r.rating', 'r.review_count', 'r.version_at as rating_version_at', 'r.version_id as rating_version_id'])
        .orderBy('m.mentor_id')
        .limit(batch)
      if (after !== null) q = q.where('m.mentor_id', '>', after)
      const rows = await q.execute()
      if (rows.length === 0) return
      yield rows.map((r) => ({
        rec: toRecord(r),
        version: toVersion(r.version_at, r.version_id),
        rating:
          r.rating_version_at && r.rating_version_id
            ? { rating: { rating: Number(r.rating), reviewCount: r.review_count ?? 0 }, version: toVersion(r.rating_version_at, r.rating_version_id) }
            : null,
      }))
      if (rows.length < batch) return
      after = rows[rows.length - 1]!.mentor_id
    }
  }

  async findById(id: string, trx: Executor = this.#db): Promise<MentorRecord | undefined> {
    const row = await trx.selectFrom('mentors').selectAll().where('mentor_id', '=', id).executeTakeFirst()
    return row ? toRecord(row) : undefined
  }

  /** The mentor profile of a signed-in account, if it has one. */
  async findByUid(uid: string, trx: Executor = this.#db): Promise<MentorRecord | undefined> {
    const row = await trx.selectFrom('mentors').selectAll().where('uid', '=', uid).orderBy('version_at', 'desc').executeTakeFirst()
    return row ? toRecord(row) : undefined
  }

  async count(trx: Executor = this.#db): Promise<{ total: number; active: number }> {
    const r = await trx
      .selectFrom('mentors')
      .select((eb) => [eb.fn.countAll<string>().as('total'), eb.fn.countAll<string>().filterWhere('status', '=', 'active').as('active')])
      .executeTakeFirstOrThrow()
    return { total: Number(r.total), active: Number(r.active) }
  }
}

function toRecord(r: {
  mentor_id: string
  uid: string | null
  display_name: string
  headline: string
  bio: string
  skills: string[]
  company: string | null
  years_experience: number
  hourly_rate: number
  languages: string[]
  timezone: string
  status: string
  approved_at: Date | string
}): MentorRecord {
  return {
    id: r.mentor_id,
    uid: r.uid,
    displayName: r.display_name,
    headline: r.headline,
    bio: r.bio,
    skills: r.skills,
    company: r.company,
    yearsExperience: r.years_experience,
    hourlyRate: r.hourly_rate,
    languages: r.languages,
    timezone: r.timezone,
    status: r.status === 'suspended' ? 'suspended' : 'active',
    approvedAt: new Date(r.approved_at).toISOString(),
  }
}
