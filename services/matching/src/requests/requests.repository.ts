import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely'
import { readPage } from '../db/page.ts'
import type { DB } from '../db/types.ts'
import type { NewRequestRow, RequestRow, RequestWithMentor } from './requests.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

export type Terminal = 'accepted' | 'declined' | 'cancelled'

/** The admin lists' filters (created in [from, to)). */
export interface AdminFilter {
  state?: string | undefined
  mentorId?: string | undefined
  mentorUid?: string | undefined
  menteeUid?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
}

type AdminCondition = [column: 'state' | 'mentor_id' | 'mentor_uid' | 'mentee_uid' | 'created_at', op: '=' | '>=' | '<', value: string | Date]

/** The admin's filters as conditions on a list's own columns (requests and matches both have them). */
export function adminConditions(f: AdminFilter): AdminCondition[] {
  const c: AdminCondition[] = []
  if (f.state) c.push(['state', '=', f.state])
  if (f.mentorId) c.push(['mentor_id', '=', f.mentorId])
  if (f.mentorUid) c.push(['mentor_uid', '=', f.mentorUid])
  if (f.menteeUid) c.push(['mentee_uid', '=', f.menteeUid])
  if (f.from) c.push(['created_at', '>=', f.from])
  if (f.to) c.push(['created_at', '<', f.to])
  return c
}

/** All SQL about 1:1 chat requests. */
export class RequestsRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  #withMentor(trx: Executor) {
    return trx
      .selectFrom('requests as q')
      .leftJoin('mentors as m', 'm.mentor_id', 'q.mentor_id')
      // the mentee's name as their account now has it (a rename after the request was sent)
      .leftJoin('account_names as n', 'n.uid', 'q.mentee_uid')
      .selectAll('q')
      .select(['m.display_name as mentor_name', 'm.headline as mentor_headline', 'n.display_name as mentee_account_name'])
  }

  /** Inserts a pending request expiring `ttlSeconds` from the database's now. */
  insert(row: Omit<NewRequestRow, 'expires_at' | 'state'>, ttlSeconds: number, trx: Executor = this.#db): Promise<RequestRow> {
    return trx
      .insertInto('requests')
      .values({ ...row, state: 'pending', expires_at: sql`now() + make_interval(secs => ${ttlSeconds})` })
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  findById(id: string, trx: Executor = this.#db): Promise<RequestWithMentor | undefined> {
    return this.#withMentor(trx).where('q.id', '=', id).executeTakeFirst()
  }

  /**
   * pending → `to`, only if it is still pending and not past its expiry: of two concurrent
   * transitions exactly one gets the row back; the other gets undefined and tells the caller why.
   */
  transition(
    id: string,
    to: Terminal,
    extra: { reason?: string; matchId?: string },
    trx: Executor = this.#db,
  ): Promise<RequestRow | undefined> {
    return trx
      .updateTable('requests')
      .set({ state: to, decided_at: sql`now()`, ...(extra.reason !== undefined ? { reason: extra.reason } : {}), ...(extra.matchId ? { match_id: extra.matchId } : {}) })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .where('expires_at', '>', sql<Date>`now()`)
      .returningAll()
      .executeTakeFirst()
  }

  /**
   * Expires up to `limit` overdue requests. Rows another replica (or an accept) holds are
   * skipped, not waited for, and the update re-checks the state: each request is expired by
   * exactly one transaction, whose caller publishes the event in that same transaction.
   */
  async expireDue(limit: number, trx: Transaction<DB>): Promise<RequestRow[]> {
    const r = await sql<RequestRow>`
      with due as (
        select id from requests
        where state = 'pending' and expires_at <= now()
        order by expires_at
        limit ${limit}
        for update skip locked
      )
      update requests q set state = 'expired', decided_at = now()
      from due
      where q.id = due.id and q.state = 'pending'
      returning q.*`.execute(trx)
    return r.rows
  }

  /** Requests the mentee sent in the last 24 hours (the daily limit is a rolling day). */
  async sentInLastDay(menteeUid: string, trx: Executor = this.#db): Promise<number> {
    const r = await trx
      .selectFrom('requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('mentee_uid', '=', menteeUid)
      .where('created_at', '>', sql<Date>`now() - interval '1 day'`)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  findOpen(menteeUid: string, mentorId: string, trx: Executor = this.#db): Promise<RequestRow | undefined> {
    return trx.selectFrom('requests').selectAll().where('mentee_uid', '=', menteeUid).where('mentor_id', '=', mentorId).where('state', '=', 'pending').executeTakeFirst()
  }

  /** Serializes one mentee's request creations (the daily count and the insert) across replicas. */
  async lockMentee(menteeUid: string, trx: Transaction<DB>): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`matching.requests:${menteeUid}`}, 0))`.execute(trx)
  }

  list(q: { box: 'inbox' | 'outbox'; uid: string; state?: string; page: number; pageSize: number }, trx: Executor = this.#db): Promise<{ rows: RequestWithMentor[]; total: number }> {
    const column = q.box === 'inbox' ? 'mentor_uid' : 'mentee_uid'
    const rows = this.#withMentor(trx).where(`q.${column}`, '=', q.uid).$if(!!q.state, (b) => b.where('q.state', '=', q.state!))
    const count = trx.selectFrom('requests').select((eb) => eb.fn.countAll<string>().as('n')).where(column, '=', q.uid).$if(!!q.state, (b) => b.where('state', '=', q.state!))
    return readPage(rows.orderBy('q.created_at', 'desc').orderBy('q.id', 'desc'), count, q)
  }

  /** Every request by the admin's filters (created in [from, to)), newest first. */
  adminList(f: AdminFilter, p: { page: number; pageSize: number }, trx: Executor = this.#db): Promise<{ rows: RequestWithMentor[]; total: number }> {
    const where = (eb: ExpressionBuilder<DB & { q: DB['requests'] }, 'q'>) => eb.and(adminConditions(f).map(([column, op, value]) => eb(`q.${column}`, op, value)))
    const rows = this.#withMentor(trx).where(where).orderBy('q.created_at', 'desc').orderBy('q.id', 'desc')
    const count = trx.selectFrom('requests as q').select((eb) => eb.fn.countAll<string>().as('n')).where(where)
    return readPage(rows, count, p)
  }

  /** Requests per state and active matches (admin stats). */
  async counts(trx: Executor = this.#db): Promise<{ requests: Record<string, number>; activeMatches: number }> {
    const [byState, active] = await Promise.all([
      trx.selectFrom('requests').select(['state', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('state').execute(),
      trx.selectFrom('matches').select((eb) => eb.fn.countAll<string>().as('n')).where('state', '=', 'active').executeTakeFirstOrThrow(),
    ])
    return { requests: Object.fromEntries(byState.map((r) => [r.state, Number(r.n)])), activeMatches: Number(active.n) }
  }

  /**
   * Mentors to leave out of this mentee's recommendations, in one round trip: hidden by the
   * mentee, an open request, an active match, or full.
   */
  async exclusionsFor(menteeUid: string, trx: Executor = this.#db): Promise<Set<string>> {
    const r = await sql<{ mentor_id: string }>`
      select mentor_id from hidden_mentors where mentee_uid = ${menteeUid}
      union select mentor_id from requests where mentee_uid = ${menteeUid} and state = 'pending'
      union select mentor_id from matches where mentee_uid = ${menteeUid} and state = 'active'
      union select mentor_id from mentor_settings where is_full`.execute(trx)
    return new Set(r.rows.map((x) => x.mentor_id))
  }
}
