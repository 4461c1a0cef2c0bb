import { MongoClient, MongoServerError, type Collection, type Db } from 'mongodb'
import { searchWords, type ChatMirror, type Checkpoint, type MirrorMessage, type MirrorRoom, type RoomSummary } from './mirror.ts'

interface MemberState {
  uid: string
  unread: number
  lastReadAt: Date | null
}

interface RoomDoc {
  _id: string
  matchId: string
  members: string[]
  status: MirrorRoom['status']
  createdAt: Date
  closedAt: Date | null
  memberState: MemberState[]
  lastMessage: MirrorMessage | null
  /** lastMessage.createdAt, or createdAt before the first message: the "my rooms" sort key */
  activityAt: Date
}

interface MessageDoc {
  /** `${roomId}/${messageId}`: Firestore message ids are unique per room only */
  _id: string
  roomId: string
  messageId: string
  authorUid: string | null
  type: MirrorMessage['type']
  text: string
  hidden: boolean
  createdAt: Date
  updatedAt: Date
}

interface CheckpointDoc {
  _id: string
  position: Date
}

const DUPLICATE_KEY = 11000

const toMessage = (d: MessageDoc): MirrorMessage => ({
  id: d.messageId,
  roomId: d.roomId,
  authorUid: d.authorUid,
  type: d.type,
  text: d.text,
  hidden: d.hidden,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
})

const toRoom = (d: RoomDoc): MirrorRoom => ({
  id: d._id,
  matchId: d.matchId,
  members: d.members,
  status: d.status,
  createdAt: d.createdAt,
  closedAt: d.closedAt,
})

/** The mirror in MongoDB (official driver), used when MONGO_URL is set. */
export class MongoChatMirror implements ChatMirror {
  readonly kind = 'mongo' as const
  readonly #client: MongoClient
  readonly #rooms: Collection<RoomDoc>
  readonly #messages: Collection<MessageDoc>
  readonly #checkpoints: Collection<CheckpointDoc>

  private constructor(client: MongoClient, db: Db) {
    this.#client = client
    this.#rooms = db.collection<RoomDoc>('rooms')
    this.#messages = db.collection<MessageDoc>('messages')
    this.#checkpoints = db.collection<CheckpointDoc>('sync_checkpoints')
  }

  /** Connects and creates the indexes (createIndexes is a no-op for existing identical ones). */
  static async connect(url: string, dbName: string): Promise<MongoChatMirror> {
    const client = new MongoClient(url, { appName: 'chat-bridge', serverSelectionTimeoutMS: 5_000 })
    await client.connect()
    const mirror = new MongoChatMirror(client, client.db(dbName))
    try {
      await mirror.#rooms.createIndexes([{ key: { members: 1, activityAt: -1, _id: 1 }, name: 'members_activity' }])
      await mirror.#messages.createIndexes([
        { key: { roomId: 1, createdAt: -1, messageId: -1 }, name: 'room_history' },
        // 'none': messages are Korean and English; no stemming or stop words, like the Postgres mirror
        { key: { text: 'text' }, name: 'text_search', default_language: 'none' },
      ])
    } catch (err) {
      await client.close()
      throw err
    }
    return mirror
  }

  async upsertRoom(room: MirrorRoom): Promise<void> {
    await this.#rooms.updateOne(
      { _id: room.id },
      {
        $set: { matchId: room.matchId, members: room.members, status: room.status, closedAt: room.closedAt },
        $setOnInsert: {
          createdAt: room.createdAt,
          activityAt: room.createdAt,
          lastMessage: null,
          memberState: room.members.map((uid) => ({ uid, unread: 0, lastReadAt: null })),
        },
      },
      { upsert: true },
    )
    // keep one state per current member when the member list changed since the first insert
    await this.#rooms.updateOne(
      { _id: room.id },
      { $pull: { memberState: { uid: { $nin: room.members } } } },
    )
    for (const uid of room.members) {
      await this.#rooms.updateOne(
        { _id: room.id, 'memberState.uid': { $ne: uid } },
        { $push: { memberState: { uid, unread: 0, lastReadAt: null } } },
      )
    }
  }

  async upsertMessage(m: MirrorMessage): Promise<{ inserted: boolean }> {
    const _id = `${m.roomId}/${m.id}`
    const write = () =>
      this.#messages.updateOne(
        { _id },
        [
          {
            $set: {
              // $literal: in a pipeline update a string starting with '$' would be read as a field path
              roomId: { $literal: m.roomId },
              messageId: { $literal: m.id },
              authorUid: { $ifNull: ['$authorUid', { $literal: m.authorUid }] },
              type: { $ifNull: ['$type', { $literal: m.type }] },
              createdAt: { $ifNull: ['$createdAt', m.createdAt] },
              // hiding blanks the text in Firestore; moderators keep reading it here
              // a version older than the stored one (a replay) changes neither text nor hidden
              text: { $cond: [{ $or: [{ $eq: ['$hidden', true] }, { $lt: [m.updatedAt, '$updatedAt'] }] }, '$text', { $literal: m.text }] },
              // once hidden by a moderator, an older Firestore version replayed later cannot unhide it
              // (nor a replay of the hidden version hide it again after an unhide)
              hidden: { $cond: [{ $lt: [m.updatedAt, '$updatedAt'] }, '$hidden', { $or: [{ $eq: ['$hidden', true] }, m.hidden] }] },
              updatedAt: { $max: ['$updatedAt', m.updatedAt] },
            },
          },
        ],
        { upsert: true },
      )
    let res
    try {
      res = await write()
    } catch (err) {
      // two upserts of a new id raced: the loser's retry is an update
      if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err
      res = await write()
    }
    if (res.upsertedCount === 0) {
      if (m.hidden) await this.#rooms.updateOne({ _id: m.roomId, 'lastMessage.id': m.id }, { $set: { 'lastMessage.hidden': true } })
      return { inserted: false }
    }
    const stored = (await this.#messages.findOne({ _id }))!
    await this.#rooms.updateOne(
      { _id: m.roomId, $or: [{ lastMessage: null }, { 'lastMessage.createdAt': { $lte: m.createdAt } }] },
      { $set: { lastMessage: toMessage(stored), activityAt: m.createdAt } },
    )
    if (m.type === 'user' && !m.hidden) {
      await this.#rooms.updateOne(
        { _id: m.roomId },
        { $inc: { 'memberState.$[other].unread': 1 } },
        { arrayFilters: [{ 'other.uid': { $ne: m.authorUid } }] },
      )
    }
    return { inserted: true }
  }

  async upsertMessages(messages: readonly MirrorMessage[]): Promise<{ inserted: string[] }> {
    // in order, one by one: each is idempotent, so a batch cut short by a failure is simply retried
    const inserted: string[] = []
    for (const m of messages) if ((await this.upsertMessage(m)).inserted) inserted.push(m.id)
    return { inserted }
  }

  async getRoom(roomId: string): Promise<MirrorRoom | null> {
    const d = await this.#rooms.findOne({ _id: roomId })
    return d ? toRoom(d) : null
  }

  async listRooms(uid: string, limit: number): Promise<RoomSummary[]> {
    const docs = await this.#rooms.find({ members: uid }).sort({ activityAt: -1, _id: 1 }).limit(limit).toArray()
    return docs.map((d) => ({
      ...toRoom(d),
      lastMessage: d.lastMessage,
      unread: d.memberState.find((s) => s.uid === uid)?.unread ?? 0,
    }))
  }

  async listMessages(roomId: string, opts: { before?: string | undefined; limit: number }): Promise<MirrorMessage[] | null> {
    const filter: Record<string, unknown> = { roomId }
    if (opts.before !== undefined) {
      const cursor = await this.#messages.findOne({ _id: `${roomId}/${opts.before}` })
      if (!cursor) return null
      filter.$or = [
        { createdAt: { $lt: cursor.createdAt } },
        { createdAt: cursor.createdAt, messageId: { $lt: cursor.messageId } },
      ]
    }
    const docs = await this.#messages.find(filter).sort({ createdAt: -1, messageId: -1 }).limit(opts.limit).toArray()
    return docs.map(toMessage)
  }

  async getMessage(roomId: string, messageId: string): Promise<MirrorMessage | null> {
    const d = await this.#messages.findOne({ _id: `${roomId}/${messageId}` })
    return d ? toMessage(d) : null
  }

  async markRead(roomId: string, uid: string, at: Date): Promise<boolean> {
    const res = await this.#rooms.updateOne(
      { _id: roomId, 'memberState.uid': uid },
      { $set: { 'memberState.$.unread': 0, 'memberState.$.lastReadAt': at } },
    )
    return res.matchedCount > 0
  }

  async searchMessages(query: string, limit: number): Promise<MirrorMessage[]> {
    const words = searchWords(query).map((w) => w.replaceAll('"', ''))
    if (words.length === 0) return []
    // each word quoted: $text ANDs phrases (bare words would be ORed), like plainto_tsquery
    const docs = await this.#messages
      .find({ $text: { $search: words.map((w) => `"${w}"`).join(' ') } })
      .sort({ createdAt: -1, messageId: -1 })
      .limit(limit)
      .toArray()
    return docs.map(toMessage)
  }

  async eraseAuthor(uid: string): Promise<number> {
    const r = await this.#messages.updateMany({ authorUid: uid, text: { $ne: '' } }, { $set: { text: '' } })
    await this.#rooms.updateMany({ 'lastMessage.authorUid': uid }, { $set: { 'lastMessage.text': '' } })
    return r.modifiedCount
  }

  async hideMessage(roomId: string, messageId: string, at: Date): Promise<MirrorMessage | null> {
    const d = await this.#messages.findOneAndUpdate(
      { _id: `${roomId}/${messageId}` },
      [{ $set: { hidden: true, updatedAt: { $max: ['$updatedAt', at] } } }],
      { returnDocument: 'after' },
    )
    if (!d) return null
    await this.#rooms.updateOne({ _id: roomId, 'lastMessage.id': messageId }, { $set: { 'lastMessage.hidden': true } })
    return toMessage(d)
  }

  async unhideMessage(roomId: string, messageId: string, at: Date): Promise<MirrorMessage | null> {
    const d = await this.#messages.findOneAndUpdate(
      { _id: `${roomId}/${messageId}` },
      [{ $set: { hidden: false, updatedAt: { $max: ['$updatedAt', at] } } }],
      { returnDocument: 'after' },
    )
    if (!d) return null
    await this.#rooms.updateOne({ _id: roomId, 'lastMessage.id': messageId }, { $set: { 'lastMessage.hidden': false } })
    return toMessage(d)
  }

  async getCheckpoint(name: string): Promise<Checkpoint | null> {
    const d = await this.#checkpoints.findOne({ _id: name })
    return d ? { position: d.position } : null
  }

  async setCheckpoint(name: string, checkpoint: Checkpoint): Promise<void> {
    await this.#checkpoints.updateOne({ _id: name }, { $max: { position: checkpoint.position } }, { upsert: true })
  }

  async close(): Promise<void> {
    await this.#client.close()
  }
}
