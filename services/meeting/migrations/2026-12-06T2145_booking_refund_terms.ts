import { sql, type Kysely } from 'kysely'

// Frozen in time: imports no app code.
//
// A refund follows the policy of the session as first booked (issue 16). Each booking carries that
// policy (copied from the mentor's availability when first booked, then from booking to booking on
// reschedule), the most a mentee's cancellation may still earn (lowered by the mentee's own moves)
// and whether the mentor made the last move.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('bookings')
    .addColumn('refund_full_hours', 'integer')
    .addColumn('refund_partial_hours', 'integer')
    .addColumn('refund_partial_percent', 'integer')
    .addColumn('refund_cap_percent', 'integer', (c) => c.notNull().defaultTo(100).check(sql`refund_cap_percent between 0 and 100`))
    .addColumn('moved_by_mentor', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()

  // Existing bookings: the mentor's policy as it is now (the best that is known; availability rows
  // are never deleted, the API's defaults otherwise) …
  await sql`update bookings b set
      refund_full_hours = coalesce(a.full_refund_hours, 24),
      refund_partial_hours = coalesce(a.partial_refund_hours, 2),
      refund_partial_percent = coalesce(a.partial_refund_percent, 50)
    from bookings x left join availability a on a.mentor_id = x.mentor_id
    where x.id = b.id`.execute(db)

  // … and the cap and last mover along each existing reschedule chain, from its first booking: a
  // rescheduled row's closed_at is when it was moved and cancelled_by who moved it. A mentee's move
  // caps the refund at what cancelling then would have earned (the cap itself if the mentor had made
  // the move before); the mentor's keeps the cap.
  await sql`with recursive chain (id, cap, moved) as (
      select id, 100, false from bookings where previous_id is null
      union all
      select n.id,
        case
          when p.cancelled_by = 'mentor' or c.moved then c.cap
          else least(c.cap, case
            when p.starts_at - p.closed_at >= make_interval(hours => p.refund_full_hours) then 100
            when p.starts_at - p.closed_at >= make_interval(hours => p.refund_partial_hours) and p.refund_partial_percent > 0 then p.refund_partial_percent
            else 0 end)
        end,
        p.cancelled_by = 'mentor'
      from chain c
      join bookings p on p.id = c.id
      join bookings n on n.previous_id = p.id
    )
    update bookings b set refund_cap_percent = chain.cap, moved_by_mentor = chain.moved
    from chain where chain.id = b.id and (chain.cap <> 100 or chain.moved)`.execute(db)

  for (const column of ['refund_full_hours', 'refund_partial_hours', 'refund_partial_percent']) {
    await db.schema.alterTable('bookings').alterColumn(column, (c) => c.setNotNull()).execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('bookings')
    .dropColumn('refund_full_hours')
    .dropColumn('refund_partial_hours')
    .dropColumn('refund_partial_percent')
    .dropColumn('refund_cap_percent')
    .dropColumn('moved_by_mentor')
    .execute()
}
