import { sql } from 'kysely'
import type { Tx } from '../db/database.ts'

export interface DueUnread {
  uid: string
  room_id: string
  unread: number
}

/** All SQL about unread chat for the digest. Written by the chat consumer, read and closed by the digest job. */
export class ChatUnreadRepository {
  /** A message for `uid` in the room: counted unless the room was read after it; the first opens the window. */
  async posted(uid: string, roomId: string, postedAt: string, delayMs: number, trx: Tx): Promise<void> {
    const due = sql<Date>`${postedAt}::timestamptz + make_interval(secs => ${delayMs / 1000})`
    await trx
      .insertInto('chat_unread')
      .values({ uid, room_id: roomId, unread: 1, first_unread_at: postedAt, due_at: due })
      .onConflict((oc) =>
        oc.columns(['uid', 'room_id']).doUpdateSet({
          unread: sql`chat_unread.unread + 1`,
          first_unread_at: sql`coalesce(chat_unread.first_unread_at, excluded.first_unread_at)`,
          due_at: sql`coalesce(chat_unread.due_at, excluded.due_at)`,
        }).where(sql<boolean>`chat_unread.last_read_at is null or chat_unread.last_read_at < ${postedAt}::timestamptz`),
      )
      .execute()
  }

  /** `uid` read the room: nothing of it is unread up to `readAt`. */
  async read(uid: string, roomId: string, readAt: string, trx: Tx): Promise<void> {
    await trx
      .insertInto('chat_unread')
      .values({ uid, room_id: roomId, unread: 0, last_read_at: readAt })
      .onConflict((oc) =>
        oc.columns(['uid', 'room_id']).doUpdateSet({ unread: 0, first_unread_at: null, due_at: null, last_read_at: readAt }).where(
          sql<boolean>`chat_unread.last_read_at is null or chat_unread.last_read_at < excluded.last_read_at`,
        ),
      )
      .execute()
  }

  /** Windows whose time has come, locked for this transaction (other replicas skip them). */
  async claimDue(limit: number, trx: Tx): Promise<DueUnread[]> {
    return trx
      .selectFrom('chat_unread')
      .select(['uid', 'room_id', 'unread'])
      .where('due_at', '<=', sql<Date>`now()`)
      .where('unread', '>', 0)
      .orderBy('due_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute()
  }

  /** Closes the windows a digest told of: the next message opens a new one. */
  async close(rows: readonly DueUnread[], trx: Tx): Promise<void> {
    for (const r of rows) {
      await trx.updateTable('chat_unread').set({ unread: 0, first_unread_at: null, due_at: null }).where('uid', '=', r.uid).where('room_id', '=', r.room_id).execute()
    }
  }
}
