import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { MentorPhotoRow } from './photos.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** All SQL about mentor photos: the resized copies, one row per size. */
export class PhotosRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  /** The mentor's photo becomes these images (every size of the last one is replaced). */
  async replace(mentorId: string, hash: string, images: ReadonlyMap<number, Buffer>, trx: Executor): Promise<void> {
    await this.remove(mentorId, trx)
    await trx
      .insertInto('mentor_photos')
      .values([...images].map(([size, image]) => ({ mentor_id: mentorId, size, hash, image })))
      .execute()
  }

  async remove(mentorId: string, trx: Executor = this.#db): Promise<number> {
    const r = await trx.deleteFrom('mentor_photos').where('mentor_id', '=', mentorId).executeTakeFirst()
    return Number(r.numDeletedRows)
  }

  /** One size of a public (active) mentor's photo, only while `hash` is the current one. */
  findPublic(mentorId: string, hash: string, size: number, trx: Executor = this.#db): Promise<Pick<MentorPhotoRow, 'image' | 'hash'> | undefined> {
    return trx
      .selectFrom('mentor_photos')
      .innerJoin('mentors', 'mentors.id', 'mentor_photos.mentor_id')
      .select(['mentor_photos.image', 'mentor_photos.hash'])
      .where('mentor_photos.mentor_id', '=', mentorId)
      .where('mentor_photos.size', '=', size)
      .where('mentor_photos.hash', '=', hash)
      .where('mentors.status', '=', 'active')
      .executeTakeFirst()
  }
}
