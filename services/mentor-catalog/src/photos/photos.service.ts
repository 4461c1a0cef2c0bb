import type { Database } from '@sunbae/db'
import type { FastifyInstance } from 'fastify'
import { CatalogEvents, type EventActor, type MentorPhotoResult, MENTOR_PHOTO_SIZES } from '@sunbae/contracts'
import { notFound } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import { MentorsRepository } from '../mentors/mentors.repository.ts'
import { photoUrlOf, toProfileEvent } from '../mentors/mentors.mapper.ts'
import { resizePhoto } from './images.ts'
import { PhotosRepository } from './photos.repository.ts'

type Events = FastifyInstance['events']

const noProfile = () => notFound('You have no mentor profile: apply first (POST /api/mentors/applications)', 'MENTOR_NOT_FOUND')

/**
 * Mentor photos: the mentor's own upload and removal, and the public images. The catalog stores the
 * resized copies in its own schema (docs/architecture.md › Mentor photos: the Storage emulator
 * cannot run offline here). A change publishes the whole profile (catalog.mentor.updated, with the
 * new photoUrl) in the same transaction, so search's index and other read models follow it.
 */
export class PhotosService {
  readonly #db: Database<DB>
  readonly #mentors: MentorsRepository
  readonly #photos: PhotosRepository
  readonly #events: Events

  constructor(db: Database<DB>, events: Events) {
    this.#db = db
    this.#mentors = new MentorsRepository(db)
    this.#photos = new PhotosRepository(db)
    this.#events = events
  }

  async putMine(uid: string, bytes: Buffer, contentType: string, actor: EventActor): Promise<MentorPhotoResult> {
    // before the CPU of resizing: someone without a profile gets their 404 at once
    if (!(await this.#mentors.findByUid(uid))) throw noProfile()
    const photo = await resizePhoto(bytes, contentType)
    const row = await this.#db.transaction().execute(async (trx) => {
      const mine = await this.#mentors.findByUid(uid, trx, { forUpdate: true })
      if (!mine) throw noProfile()
      await this.#photos.replace(mine.id, photo.hash, photo.images, trx)
      const updated = (await this.#mentors.update(mine.id, { photo_hash: photo.hash }, trx))!
      await this.#events.publish(trx, CatalogEvents.mentorUpdated, toProfileEvent(updated), { actor, subject: { type: 'mentor', id: updated.id } })
      return updated
    })
    this.#events.flushSoon()
    return { photoUrl: photoUrlOf(row)!, sizes: [...MENTOR_PHOTO_SIZES] }
  }

  /** Back to the initials avatar. Without a photo nothing changes and nothing is published. */
  async removeMine(uid: string, actor: EventActor): Promise<void> {
    const changed = await this.#db.transaction().execute(async (trx) => {
      const mine = await this.#mentors.findByUid(uid, trx, { forUpdate: true })
      if (!mine) throw noProfile()
      if (mine.photo_hash === null) return false
      await this.#photos.remove(mine.id, trx)
      const updated = (await this.#mentors.update(mine.id, { photo_hash: null }, trx))!
      await this.#events.publish(trx, CatalogEvents.mentorUpdated, toProfileEvent(updated), { actor, subject: { type: 'mentor', id: updated.id } })
      return true
    })
    if (changed) this.#events.flushSoon()
  }

  /** One size of a public mentor's current photo; an old hash, a suspended mentor or no photo is 404. */
  async image(mentorId: string, hash: string, size: number): Promise<Buffer> {
    const row = await this.#photos.findPublic(mentorId, hash, size)
    if (!row) throw notFound('No such photo', 'PHOTO_NOT_FOUND')
    return row.image
  }
}
