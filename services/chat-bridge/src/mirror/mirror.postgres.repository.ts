import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { DB, Messages, Rooms } from '../db/types.ts'
import type { ChatMirror, Checkpoint, MirrorMessage, MirrorRoom, RoomSummary } from './mirror.ts'

const toRoom = (r: Selectable<Rooms>): MirrorRoom => ({
  id: r.id,
  matchId: r.match_id,
  members: r.members,
  status: r.status as MirrorRoom['status'],
  createdAt: r.created_at,
  closedAt: r.closed_at,
})

const toMessage = (m: Selectable<Messages>): MirrorMessage => ({
  id: m.id,
  roomId: m.room_id,
  authorUid: m.author_uid,
  type: m.type as MirrorMessage['type'],
  text: m.text,
  hidden: m.hidden,
  createdAt: m.created_at,
  updatedAt: m.updated_at,
})

const messageRow = (m: MirrorMessage) => ({
  room_id: m.roomId,
  id: m.id,
  author_uid: m.authorUid,
  type: m.type,
  text: m.text,
  hidden: m.hidden,
  created_at: m.createdAt,
  updated_at: m.updatedAt,
})

/** A message seen again (a replay, an edit, a moderator's hide): how the stored row takes it. */
const MERGE_MESSAGE = {
  // hiding blanks the text in Firestore; moderators keep reading it here. A version older than the
  // stored one (a replay) changes neither: after an unhide, the blanked version cannot come back
  text: sql<string>`case when messages.hidden or excluded.updated_at < messages.updated_at then messages.text else excluded.text end`,
  // once hidden by a moderator, an older Firestore version replayed later cannot unhide it, nor a
  // replay of the hidden version hide it again after a moderator's unhide
  hidden: sql<boolean>`case when excluded.updated_at < messages.updated_at then messages.hidden else messages.hidden or excluded.hidden end`,
  updated_at: sql<Date>`greatest(messages.updated_at, excluded.updated_at)`,
  mirrored_at: sql<Date>`now()`,
}

/** The mirror in chat-bridge's own Postgres schema (machines without MongoDB). */
export class PostgresChatMirror implements ChatMirror {
  readonly kind = 'postgres' as const
  readonly #db: Kysely<DB>

  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  async upsertRoom(room: MirrorRoom): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('rooms')
        .values({
          id: room.id,
          match_id: room.matchId,
          members: room.members,
          status: room.status,
          created_at: room.createdAt,
          closed_at: room.closedAt,
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            match_id: (eb) => eb.ref('excluded.match_id'),
            members: (eb) => eb.ref('excluded.members'),
            status: (eb) => eb.ref('excluded.status'),
            closed_at: (eb) => eb.ref('excluded.closed_at'),
          }),
        )
        .execute()
      if (room.members.length > 0) {
        await trx
          .insertInto('room_members')
          .values(room.members.map((uid) => ({ room_id: room.id, uid })))
          .onConflict((oc) => oc.columns(['room_id', 'uid']).doNothing())
          .execute()
      }
      await trx.deleteFrom('room_members').where('room_id', '=', room.id).where('uid', 'not in', room.members.length ? room.members : ['']).execute()
    })
  }

  async upsertMessage(m: MirrorMessage): Promise<{ inserted: boolean }> {
    return this.#db.transaction().execute((trx) => this.#upsertOne(trx, m))
  }

  async upsertMessages(messages: readonly MirrorMessage[]): Promise<{ inserted: string[] }> {
    if (messages.length === 0) return { inserted: [] }
    // one commit per batch: at a steady message rate the commits, not the statements, are the cost
    return this.#db.transaction().execute(async (trx) => {
      const keys = new Set(messages.map((m) => `${m.roomId}/${m.id}`))
      if (keys.size < messages.length) {
        // the same message twice: one statement cannot upsert a row twice, so one at a time in order
        const inserted: string[] = []
        for (const m of messages) if ((await this.#upsertOne(trx, m)).inserted) inserted.push(m.id)
        return { inserted }
      }
      return { inserted: await this.#upsertMany(trx, messages) }
    })
  }

  /**
   * #upsertOne for distinct messages in three statements whatever the batch: one multi-row upsert,
   * then the rooms' last messages and the members' unread counts of the newly inserted ones.
   */
  async #upsertMany(trx: Transaction<DB>, messages: readonly MirrorMessage[]): Promise<string[]> {
    // the rows as one array per column: eight parameters for any batch, not eight per message
    const rows = await trx
      .insertInto('messages')
      .columns(['room_id', 'id', 'author_uid', 'type', 'text', 'hidden', 'created_at', 'updated_at'])
      .expression(
        sql`select * from unnest(
          ${messages.map((m) => m.roomId)}::text[], ${messages.map((m) => m.id)}::text[], ${messages.map((m) => m.authorUid)}::text[],
          ${messages.map((m) => m.type)}::text[], ${messages.map((m) => m.text)}::text[], ${messages.map((m) => m.hidden)}::boolean[],
          ${messages.map((m) => m.createdAt.toISOString())}::timestamptz[], ${messages.map((m) => m.updatedAt.toISOString())}::timestamptz[])`,
      )
      .onConflict((oc) => oc.columns(['room_id', 'id']).doUpdateSet(MERGE_MESSAGE))
      .returning(['room_id', 'id', sql<boolean>`xmax = 0`.as('inserted')])
      .execute()
    const isNew = new Set(rows.filter((r) => r.inserted).map((r) => `${r.room_id}/${r.id}`))
    const fresh = messages.filter((m) => isNew.has(`${m.roomId}/${m.id}`))
    const last = new Map<string, MirrorMessage>()
    const unread = new Map<string, { roomId: string; authorUid: string | null; n: number }>()
    for (const m of fresh) {
      const l = last.get(m.roomId)
      if (!l || m.createdAt.getTime() >= l.createdAt.getTime()) last.set(m.roomId, m)
      if (m.type === 'user' && !m.hidden) {
        const key = `${m.roomId}/${m.authorUid ?? ''}`
        const u = unread.get(key) ?? { roomId: m.roomId, authorUid: m.authorUid, n: 0 }
        u.n++
        unread.set(key, u)
      }
    }
    // one statement each however many rooms the batch touches (arrays, not a parameter per value)
    if (last.size > 0) {
      const ls = [...last.values()]
      await sql`update rooms r set last_message_id = v.id, last_message_at = v.at
        from unnest(${ls.map((m) => m.roomId)}::text[], ${ls.map((m) => m.id)}::text[], ${ls.map((m) => m.createdAt.toISOString())}::timestamptz[]) as v(room_id, id, at)
        where r.id = v.room_id and (r.last_message_at is null or r.last_message_at <= v.at)`.execute(trx)
    }
    if (unread.size > 0) {
      const us = [...unread.values()]
      // per member the sum over the other authors' new messages: a member matched by two rows of
      // the batch would otherwise be updated only once
      await sql`update room_members rm set unread = rm.unread + d.n
        from (
          select m.room_id, m.uid, sum(v.n)::int as n
            from unnest(${us.map((u) => u.roomId)}::text[], ${us.map((u) => u.authorUid)}::text[], ${us.map((u) => u.n)}::int[]) as v(room_id, author_uid, n)
            join room_members m on m.room_id = v.room_id and m.uid is distinct from v.author_uid
           group by m.room_id, m.uid
        ) d
        where rm.room_id = d.room_id and rm.uid = d.uid`.execute(trx)
    }
    return fresh.map((m) => m.id)
  }

  async #upsertOne(trx: Transaction<DB>, m: MirrorMessage): Promise<{ inserted: boolean }> {
    // xmax = 0 only for a row this statement inserted (not one it updated)
    const row = await trx
      .insertInto('messages')
      .values(messageRow(m))
      .onConflict((oc) => oc.columns(['room_id', 'id']).doUpdateSet(MERGE_MESSAGE))
      .returning(sql<boolean>`xmax = 0`.as('inserted'))
      .executeTakeFirstOrThrow()
    if (!row.inserted) return { inserted: false }
    await trx
      .updateTable('rooms')
      .set({ last_message_id: m.id, last_message_at: m.createdAt })
      .where('id', '=', m.roomId)
      .where((eb) => eb.or([eb('last_message_at', 'is', null), eb('last_message_at', '<=', m.createdAt)]))
      .execute()
    if (m.type === 'user' && !m.hidden) {
      let q = trx.updateTable('room_members').set((eb) => ({ unread: eb('unread', '+', 1) })).where('room_id', '=', m.roomId)
      if (m.authorUid) q = q.where('uid', '!=', m.authorUid)
      await q.execute()
    }
    return { inserted: true }
  }

  async getRoom(roomId: string): Promise<MirrorRoom | null> {
    const r = await this.#db.selectFrom('rooms').selectAll().where('id', '=', roomId).executeTakeFirst()
    return r ? toRoom(r) : null
  }

  async listRooms(uid: string, limit: number): Promise<RoomSummary[]> {
    const rows = await this.#db
      .selectFrom('room_members as rm')
      .innerJoin('rooms as r', 'r.id', 'rm.room_id')
      .leftJoin('messages as m', (j) => j.onRef('m.room_id', '=', 'r.id').onRef('m.id', '=', 'r.last_message_id'))
      .selectAll('r')
      .select([
        'rm.unread',
        'm.id as m_id',
        'm.author_uid as m_author_uid',
        'm.type as m_type',
        'm.text as m_text',
        'm.hidden as m_hidden',
        'm.created_at as m_created_at',
        'm.updated_at as m_updated_at',
      ])
      .where('rm.uid', '=', uid)
      .orderBy(sql`coalesce(r.last_message_at, r.created_at)`, 'desc')
      .orderBy('r.id')
      .limit(limit)
      .execute()
    return rows.map((r) => ({
      ...toRoom(r),
      unread: r.unread,
      lastMessage:
        r.m_id === null
          ? null
          : {
              id: r.m_id,
              roomId: r.id,
              authorUid: r.m_author_uid,
              type: r.m_type as MirrorMessage['type'],
              text: r.m_text!,
              hidden: r.m_hidden!,
              createdAt: r.m_created_at!,
              updatedAt: r.m_updated_at!,
            },
    }))
  }

  async listMessages(roomId: string, opts: { before?: string | undefined; limit: number }): Promise<MirrorMessage[] | null> {
    let q = this.#db.selectFrom('messages').selectAll().where('room_id', '=', roomId)
    if (opts.before !== undefined) {
      const cursor = await this.#db
        .selectFrom('messages')
        .select(['created_at', 'id'])
        .where('room_id', '=', roomId)
        .where('id', '=', opts.before)
        .executeTakeFirst()
      if (!cursor) return null
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(cursor.created_at, cursor.id)))
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute()
    return rows.map(toMessage)
  }

  async getMessage(roomId: string, messageId: string): Promise<MirrorMessage | null> {
    const m = await this.#db.selectFrom('messages').selectAll().where('room_id', '=', roomId).where('id', '=', messageId).executeTakeFirst()
    return m ? toMessage(m) : null
  }

  async markRead(roomId: string, uid: string, at: Date): Promise<boolean> {
    const r = await this.#db
      .updateTable('room_members')
      .set({ unread: 0, last_read_at: at })
      .where('room_id', '=', roomId)
      .where('uid', '=', uid)
      .executeTakeFirst()
    return r.numUpdatedRows > 0n
  }

  async searchMessages(query: string, limit: number): Promise<MirrorMessage[]> {
    const rows = await this.#db
      .selectFrom('messages')
      .selectAll()
      // plainto_tsquery ANDs the words; the expression matches messages_text_idx
      .where(sql<boolean>`to_tsvector('simple', text) @@ plainto_tsquery('simple', ${query})`)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map(toMessage)
  }

  async eraseAuthor(uid: string): Promise<number> {
    const r = await this.#db.updateTable('messages').set({ text: '' }).where('author_uid', '=', uid).where('text', '<>', '').executeTakeFirst()
    return Number(r.numUpdatedRows)
  }

  async hideMessage(roomId: string, messageId: string, at: Date): Promise<MirrorMessage | null> {
    const m = await this.#db
      .updateTable('messages')
      .set({ hidden: true, updated_at: sql<Date>`greatest(updated_at, ${at})`, mirrored_at: sql<Date>`now()` })
      .where('room_id', '=', roomId)
      .where('id', '=', messageId)
      .returningAll()
      .executeTakeFirst()
    return m ? toMessage(m) : null
  }

  async unhideMessage(roomId: string, messageId: string, at: Date): Promise<MirrorMessage | null> {
    const m = await this.#db
      .updateTable('messages')
      .set({ hidden: false, updated_at: sql<Date>`greatest(updated_at, ${at})`, mirrored_at: sql<Date>`now()` })
      .where('room_id', '=', roomId)
      .where('id', '=', messageId)
      .returningAll()
      .executeTakeFirst()
    return m ? toMessage(m) : null
  }

  async getCheckpoint(name: string): Promise<Checkpoint | null> {
    const r = await this.#db.selectFrom('sync_checkpoints').select('position').where('name', '=', name).executeTakeFirst()
    return r ? { position: r.position } : null
  }

  async setCheckpoint(name: string, checkpoint: Checkpoint): Promise<void> {
    await this.#db
      .insertInto('sync_checkpoints')
      .values({ name, position: checkpoint.position })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          position: sql<Date>`greatest(sync_checkpoints.position, excluded.position)`,
          updated_at: sql<Date>`now()`,
        }),
      )
      .execute()
  }

  async close(): Promise<void> {
    // the Kysely instance belongs to the platform plugin, which closes it
  }
}
