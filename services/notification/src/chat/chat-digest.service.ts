import { v7 as uuidv7 } from 'uuid'
import type { MessagePostedV1, RoomReadV1 } from '@sunbae/contracts'
import type { Transactions, Tx } from '../db/database.ts'
import { chatDigest } from '../messages/chat.ts'
import type { Notifier } from '../notifications/notifier.service.ts'
import type { ChatUnreadRepository, DueUnread } from './chat-unread.repository.ts'

/**
 * The unread-chat digest: chat.message.posted counts messages per (recipient, room), chat.room.read
 * clears them, and the digest job tells each person once per window — never one email per message.
 */
export class ChatDigest {
  readonly #tx: Transactions
  readonly #repo: ChatUnreadRepository
  readonly #notifier: Notifier
  readonly #delayMs: number
  constructor(tx: Transactions, repo: ChatUnreadRepository, notifier: Notifier, delayMs: number) {
    this.#tx = tx
    this.#repo = repo
    this.#notifier = notifier
    this.#delayMs = delayMs
  }

  async onMessagePosted(d: MessagePostedV1, trx: Tx): Promise<void> {
    for (const uid of d.recipientUids) {
      if (uid !== d.authorUid) await this.#repo.posted(uid, d.roomId, d.postedAt, this.#delayMs, trx)
    }
  }

  async onRoomRead(d: RoomReadV1, trx: Tx): Promise<void> {
    await this.#repo.read(d.uid, d.roomId, d.readAt, trx)
  }

  /** One batch of due windows: one digest per person in it. Returns how many windows were closed. */
  async sendDue(limit: number): Promise<number> {
    const after: (() => void | Promise<void>)[] = []
    const closed = await this.#tx.run(async (trx) => {
      const rows = await this.#repo.claimDue(limit, trx)
      const byUid = new Map<string, DueUnread[]>()
      for (const r of rows) byUid.set(r.uid, [...(byUid.get(r.uid) ?? []), r])
      await this.#notifier.load(trx, [...byUid.keys()])
      for (const [uid, rs] of byUid) {
        const messages = rs.reduce((n, r) => n + r.unread, 0)
        await this.#notifier.notify(chatDigest(messages, rs.length), {
          event: { id: uuidv7(), type: 'chat.digest', occurredAt: new Date().toISOString() },
          recipientUid: uid,
          trx,
          afterCommit: (fn) => void after.push(fn),
        })
      }
      await this.#repo.close(rows, trx)
      return rows.length
    })
    for (const fn of after) await fn()
    return closed
  }
}
