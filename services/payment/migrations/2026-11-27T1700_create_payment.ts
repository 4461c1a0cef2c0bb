import { sql, type Kysely } from 'kysely'

// Frozen in time: imports no app code.
export async function up(db: Kysely<any>): Promise<void> {
  // meeting's paid bookings as payment needs them (from meeting.booking.*): who pays whom, how much.
  await db.schema
    .createTable('bookings')
    .addColumn('booking_id', 'uuid', (c) => c.primaryKey())
    .addColumn('mentee_uid', 'text', (c) => c.notNull())
    .addColumn('mentor_id', 'uuid', (c) => c.notNull())
    .addColumn('mentor_uid', 'text')
    .addColumn('price', 'integer', (c) => c.notNull().check(sql`price >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('hold_expires_at', 'timestamptz')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('held','confirmed','released','cancelled')`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('payments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // one payment per booking: a failed or cancelled payment releases its booking
    .addColumn('booking_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('mentee_uid', 'text', (c) => c.notNull())
    .addColumn('mentor_id', 'uuid', (c) => c.notNull())
    .addColumn('mentor_uid', 'text')
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('fee', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('requires_payment','processing','requires_action','succeeded','failed','cancelled','refunded','partially_refunded')`),
    )
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_ref', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('refunded_amount', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('succeeded_at', 'timestamptz')
    .addCheckConstraint('payments_refund_bounds', sql`refunded_amount >= 0 and refunded_amount <= amount`)
    .execute()
  await db.schema.createIndex('payments_mentee_idx').on('payments').columns(['mentee_uid', 'created_at']).execute()
  await db.schema.createIndex('payments_mentor_idx').on('payments').columns(['mentor_uid', 'created_at']).execute()
  await db.schema.createIndex('payments_processing_idx').on('payments').column('updated_at').where(sql.ref('state'), '=', 'processing').execute()

  await db.schema
    .createTable('refunds')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('payment_id', 'uuid', (c) => c.notNull().references('payments.id'))
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('reason', 'text', (c) => c.notNull())
    // what asked for it (a cancellation event id, a release): the same cause refunds once
    .addColumn('cause', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending','succeeded')`))
    .addColumn('provider_ref', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('succeeded_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('refunds_payment_idx').on('refunds').column('payment_id').execute()
  await db.schema.createIndex('refunds_pending_idx').on('refunds').column('created_at').where(sql.ref('state'), '=', 'pending').execute()

  // Idempotency-Key rows: inserted (committed) before the work, completed with the response.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response', 'jsonb')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['owner', 'key'])
    .execute()
  await db.schema.createIndex('idempotency_keys_expiry_idx').on('idempotency_keys').column('expires_at').execute()

  // Provider webhook event ids already handled (replays are acknowledged and ignored).
  await db.schema
    .createTable('webhook_events')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('webhook_events_pk', ['provider', 'event_id'])
    .execute()

  // Double-entry ledger: amounts are signed (debit +, credit −); every transaction sums to zero.
  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('txn_id', 'uuid', (c) => c.notNull())
    .addColumn('payment_id', 'uuid', (c) => c.notNull().references('payments.id'))
    .addColumn('account', 'text', (c) => c.notNull().check(sql`account in ('provider_cash','mentor_payable','platform_revenue')`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('mentee_charge','mentor_payable','platform_fee','refund','refund_mentor_payable','refund_platform_fee')`))
    .addColumn('mentor_uid', 'text')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('ledger_entries_txn_idx').on('ledger_entries').column('txn_id').execute()
  await db.schema.createIndex('ledger_entries_payment_idx').on('ledger_entries').column('payment_id').execute()
  await db.schema.createIndex('ledger_entries_mentor_idx').on('ledger_entries').columns(['mentor_uid', 'account']).execute()
  // Checked at commit (deferred), once all of a transaction's lines are in: an unbalanced one aborts.
  await sql`
    create function ledger_txn_balanced() returns trigger language plpgsql as $$
    begin
      if (select coalesce(sum(amount), 0) from ledger_entries where txn_id = new.txn_id) <> 0 then
        raise exception 'ledger transaction % does not balance', new.txn_id using errcode = '23514';
      end if;
      return null;
    end $$`.execute(db)
  await sql`
    create constraint trigger ledger_entries_balanced after insert or update on ledger_entries
    deferrable initially deferred for each row execute function ledger_txn_balanced()`.execute(db)
  await sql`
    create function ledger_entries_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'ledger entries are append-only' using errcode = '42501';
    end $$`.execute(db)
  await sql`create trigger ledger_entries_append_only before update or delete on ledger_entries for each row execute function ledger_entries_immutable()`.execute(db)

  // The sandbox provider's own books (it stands in for a remote processor; it never shares a
  // transaction with the payment's state).
  await db.schema
    .createTable('sandbox_charges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('card_token', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_code', 'text')
    .addColumn('settles_at', 'timestamptz')
    .addColumn('refunded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .createTable('sandbox_refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['sandbox_refunds', 'sandbox_charges', 'ledger_entries', 'webhook_events', 'idempotency_keys', 'refunds', 'payments', 'bookings']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
  await sql`drop function if exists ledger_txn_balanced()`.execute(db)
  await sql`drop function if exists ledger_entries_immutable()`.execute(db)
}
