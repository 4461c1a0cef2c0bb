import type { Database } from '@sunbae/db'
import { domainPlugin } from '@sunbae/service-kit'
import type { configSchema } from '../../config.ts'
import type { DB } from '../../db/types.ts'
import { matchingJobs } from '../../jobs.ts'
import { AccountEventHandlers } from '../../accounts/account-events.service.ts'
import { AccountNamesRepository } from '../../accounts/account-names.repository.ts'
import { AccountErasure } from '../../accounts/account-erasure.service.ts'
import { AccountErasureRepository } from '../../accounts/account-erasure.repository.ts'
import { MatchesService } from '../../matches/matches.service.ts'
import { PreferencesService } from '../../preferences/preferences.service.ts'
import { RecommendationsService } from '../../recommendations/recommendations.service.ts'
import { RequestsService } from '../../requests/requests.service.ts'
import { SettingsService } from '../../settings/settings.service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    preferences: PreferencesService
    recommendations: RecommendationsService
    requests: RequestsService
    matches: MatchesService
    mentorSettings: SettingsService
    /** catalog.user.* handlers (subscriptions.ts) */
    accountEvents: AccountEventHandlers
    accountErasure: AccountErasure
  }
}

/** The domain services of matching, and the expiry sweeper every replica runs (`jobs.ts`). */
export default domainPlugin<typeof configSchema>('matching', ['mentor-read-model'], (app, config) => {
  const db = app.db as Database<DB>
  const mentors = app.mentorReadModel.repository
  app.decorate('preferences', new PreferencesService(db, mentors))
  app.decorate('recommendations', new RecommendationsService(db, app.mentorReadModel, app.preferences))
  app.decorate(
    'requests',
    new RequestsService(db, app.events, mentors, {
      ttlSeconds: Math.max(1, Math.round(config.MATCHING_REQUEST_TTL_HOURS * 3600)),
      dailyLimit: config.MATCHING_DAILY_REQUEST_LIMIT,
    }),
  )
  app.decorate('matches', new MatchesService(db, app.events))
  app.decorate('mentorSettings', new SettingsService(db, mentors))
  app.decorate('accountEvents', new AccountEventHandlers(new AccountNamesRepository(db)))
  app.decorate('accountErasure', new AccountErasure(new AccountNamesRepository(db), new AccountErasureRepository()))

  matchingJobs(app, app.requests, config)
})
