import { type Kysely } from 'kysely'

// Frozen: who paid for what. Only payment.created names the payer; payment.succeeded, .failed and
// .refunded name the payment, so the receipt finds its recipient here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payments')
    .addColumn('payment_id', 'uuid', (c) => c.primaryKey())
    .addColumn('booking_id', 'uuid', (c) => c.notNull())
    .addColumn('payer_uid', 'text', (c) => c.notNull())
    .addColumn('mentor_uid', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payments').execute()
}
