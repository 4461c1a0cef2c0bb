import { sql, type Kysely } from 'kysely'

// Frozen in time: imports no app code.
export async function up(db: Kysely<any>): Promise<void> {
  // needs_review: reconciliation could not apply the provider's answer; an admin looks at it.
  await sql`alter table payments drop constraint payments_state_check`.execute(db)
  await sql`
    alter table payments add constraint payments_state_check check (state in
      ('requires_payment','processing','requires_action','succeeded','failed','cancelled','refunded','partially_refunded','needs_review'))`.execute(db)
  await db.schema.createIndex('payments_needs_review_idx').on('payments').column('updated_at').where(sql.ref('state'), '=', 'needs_review').execute()

  // A payment cancelled here while the provider may still complete it (3-D Secure pending): the
  // provider is told to cancel it after the commit ('pending' until it answered, then 'done').
  await db.schema
    .alterTable('payments')
    .addColumn('provider_cancel', 'text', (c) => c.check(sql`provider_cancel in ('pending','done')`))
    .execute()
  await db.schema.createIndex('payments_provider_cancel_idx').on('payments').column('updated_at').where(sql.ref('provider_cancel'), '=', 'pending').execute()

  // Webhook bodies already acted on within a window, by what they claim (Toss: paymentKey and
  // status): a flood of distinct bodies with one claim asks the provider once per window.
  await db.schema
    .createTable('webhook_windows')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('until', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_windows_pk', ['provider', 'key'])
    .execute()
  await db.schema.createIndex('webhook_windows_until_idx').on('webhook_windows').column('until').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_windows').ifExists().execute()
  await db.schema.dropIndex('payments_provider_cancel_idx').ifExists().execute()
  await db.schema.alterTable('payments').dropColumn('provider_cancel').execute()
  await db.schema.dropIndex('payments_needs_review_idx').ifExists().execute()
  await sql`update payments set state = 'failed', failure_reason = coalesce(failure_reason, 'needs_review') where state = 'needs_review'`.execute(db)
  await sql`alter table payments drop constraint payments_state_check`.execute(db)
  await sql`
    alter table payments add constraint payments_state_check check (state in
      ('requires_payment','processing','requires_action','succeeded','failed','cancelled','refunded','partially_refunded'))`.execute(db)
}
