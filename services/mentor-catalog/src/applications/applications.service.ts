import type { Database, Tx } from '@sunbae/db'
import type { FastifyInstance } from 'fastify'
import { v7 as uuidv7 } from 'uuid'
import {
  CatalogEvents,
  type AdminMentor,
  type ApplicationStatus,
  type Identity,
  type MentorApplication,
  type MentorApplicationBody,
  type Paged,
} from '@sunbae/contracts'
import { actorOf, conflict, notFound } from '@sunbae/service-kit'
import { isUniqueViolation } from '@sunbae/db'
import type { DB } from '../db/types.ts'
import { MentorsRepository } from '../mentors/mentors.repository.ts'
import { toAdminMentor, toProfileEvent } from '../mentors/mentors.mapper.ts'
import { assertTimezone } from '../mentors/timezones.ts'
import { UsersRepository } from '../users/users.repository.ts'
import type { UsersService } from '../users/users.service.ts'
import { ApplicationsRepository } from './applications.repository.ts'
import type { ApplicationRow, ApplicationWithApplicant } from './applications.table.ts'

type Events = FastifyInstance['events']

const iso = (d: Date | string) => new Date(d).toISOString()

function toApplication(row: ApplicationWithApplicant): MentorApplication {
  return {
    id: row.id,
    uid: row.uid,
    applicant: { email: row.applicant_email, displayName: row.applicant_name },
    headline: row.headline,
    bio: row.bio,
    skills: row.skills,
    company: row.company,
    yearsExperience: row.years_experience,
    hourlyRate: row.hourly_rate,
    languages: row.languages,
    timezone: row.timezone,
    links: row.links as string[],
    status: row.status as ApplicationStatus,
    reason: row.reason,
    decidedAt: row.decided_at ? iso(row.decided_at) : null,
    createdAt: iso(row.created_at),
  }
}

const alreadyMentor = () => conflict('You are already a mentor: edit your profile with PATCH /api/mentors/me', 'ALREADY_MENTOR')
const alreadyPending = () => conflict('You already have an application waiting for a decision', 'APPLICATION_PENDING')

/**
 * Becoming a mentor: a signed-in user applies, an admin approves (the profile goes public, the
 * account becomes a mentor) or rejects with a reason the applicant sees.
 */
export class ApplicationsService {
  readonly #db: Database<DB>
  readonly #repo: ApplicationsRepository
  readonly #mentors: MentorsRepository
  readonly #usersRepo: UsersRepository
  readonly #users: UsersService
  readonly #events: Events

  constructor(db: Database<DB>, events: Events, users: UsersService) {
    this.#db = db
    this.#repo = new ApplicationsRepository(db)
    this.#mentors = new MentorsRepository(db)
    this.#usersRepo = new UsersRepository(db)
    this.#users = users
    this.#events = events
  }

  async submit(identity: Identity, body: MentorApplicationBody): Promise<MentorApplication> {
    assertTimezone(body.timezone)
    // The account mirror is created on first sign-in (PUT /api/me); an applicant who skipped it gets one now.
    if (!(await this.#usersRepo.findByUid(identity.uid))) await this.#users.sync(identity, {})

    const id = await this.#db
      .transaction()
      .execute(async (trx) => {
        if (await this.#mentors.findByUid(identity.uid, trx)) throw alreadyMentor()
        if (await this.#repo.findPendingByUid(identity.uid, trx)) throw alreadyPending()
        const row = await this.#repo.insert(
          {
            id: uuidv7(),
            uid: identity.uid,
            headline: body.headline,
            bio: body.bio,
            skills: body.skills,
            company: body.company ?? null,
            years_experience: body.yearsExperience,
            hourly_rate: body.hourlyRate,
            languages: body.languages,
            timezone: body.timezone ?? 'Asia/Seoul',
            links: JSON.stringify(body.links ?? []),
          },
          trx,
        )
        await this.#events.publish(
          trx,
          CatalogEvents.applicationSubmitted,
          { applicationId: row.id, uid: row.uid, headline: row.headline, skills: row.skills, submittedAt: iso(row.created_at) },
          { actor: actorOf(identity), subject: { type: 'mentor_application', id: row.id } },
        )
        return row.id
      })
      .catch((err: unknown) => {
        // two submits racing: the partial unique index lets only one pending application through
        if (isUniqueViolation(err)) throw alreadyPending()
        throw err
      })
    this.#events.flushSoon()
    return toApplication((await this.#repo.findById(id))!)
  }

  async listMine(uid: string): Promise<MentorApplication[]> {
    return (await this.#repo.listByUid(uid)).map(toApplication)
  }

  async list(query: { status?: ApplicationStatus; page: number; pageSize: number }): Promise<Paged<MentorApplication>> {
    const { rows, total } = await this.#repo.list(query)
    return { items: rows.map(toApplication), total, page: query.page, pageSize: query.pageSize }
  }

  /**
   * One transaction: the application is marked approved, the mentor row is created (active, named
   * after the account mirror), `catalog.mentor.approved` goes to the outbox, and — last, because
   * it calls Firebase — the account becomes a mentor (claim, mirror, refresh tokens revoked).
   * Admins who apply keep the admin role (it already passes every mentor check).
   */
  async approve(id: string, admin: Identity): Promise<{ application: MentorApplication; mentor: AdminMentor }> {
    const mentor = await this.#db.transaction().execute(async (trx) => {
      const app = await this.#pending(id, trx)
      if (await this.#mentors.findByUid(app.uid, trx)) throw conflict('The applicant is already a mentor', 'ALREADY_MENTOR')
      const user = await this.#usersRepo.findByUid(app.uid, trx)
      if (!user) throw notFound('The applicant has no account any more', 'USER_NOT_FOUND')
      await this.#repo.decide(id, { status: 'approved', reason: null, decidedBy: admin.uid }, trx)
      const row = await this.#mentors.insert(
        {
          id: uuidv7(),
          uid: app.uid,
          display_name: user.display_name ?? user.email?.split('@')[0] ?? 'Mentor',
          headline: app.headline,
          bio: app.bio,
          skills: app.skills,
          company: app.company,
          years_experience: app.years_experience,
          hourly_rate: app.hourly_rate,
          languages: app.languages,
          timezone: app.timezone,
          links: JSON.stringify(app.links),
          status: 'active',
          approved_at: new Date(),
        },
        trx,
      )
      await this.#events.publish(trx, CatalogEvents.mentorApproved, toProfileEvent(row), { actor: actorOf(admin), subject: { type: 'mentor', id: row.id } })
      if (user.role === 'mentee') await this.#users.changeRole({ uid: app.uid }, 'mentor', actorOf(admin), { trx })
      return row
    })
    this.#events.flushSoon()
    return { application: toApplication((await this.#repo.findById(id))!), mentor: toAdminMentor(mentor) }
  }

  async reject(id: string, reason: string, admin: Identity): Promise<MentorApplication> {
    await this.#db.transaction().execute(async (trx) => {
      const app = await this.#pending(id, trx)
      const row = (await this.#repo.decide(id, { status: 'rejected', reason, decidedBy: admin.uid }, trx))!
      await this.#events.publish(
        trx,
        CatalogEvents.applicationRejected,
        { applicationId: id, uid: app.uid, reason, decidedBy: admin.uid, decidedAt: iso(row.decided_at!) },
        { actor: actorOf(admin), subject: { type: 'mentor_application', id } },
      )
    })
    this.#events.flushSoon()
    return toApplication((await this.#repo.findById(id))!)
  }

  async #pending(id: string, trx: Tx<DB>): Promise<ApplicationRow> {
    const app = await this.#repo.lockById(id, trx)
    if (!app) throw notFound('No such application', 'APPLICATION_NOT_FOUND')
    if (app.status !== 'pending') throw conflict(`The application was already ${app.status}`, 'APPLICATION_DECIDED')
    return app
  }
}
