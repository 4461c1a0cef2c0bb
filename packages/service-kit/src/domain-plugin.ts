import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Static, TObject } from 'typebox'

/**
 * A service's domain wiring (its `src/plugins/app/<name>.ts`): the repositories and domain services
 * it decorates the app with, for its routes, `subscriptions.ts` and `jobs.ts`. app.ts registers it
 * with the service's config (`fastify.register(meeting, { config: opts.config })`) after the platform
 * and the plugins named in `dependencies`:
 *
 *   export default domainPlugin<typeof configSchema>('meeting', ['firebase'], (app, config) => {
 *     const db = meetingDatabase(app.db)
 *     app.decorate('availability', new AvailabilityService(…))
 *     meetingJobs(app, …, config)
 *   })
 *
 * `name` is the plugin's name for other plugins' `dependencies`; the platform (`sunbae-platform`) is
 * always one of its own.
 */
export function domainPlugin<S extends TObject>(name: string, dependencies: string[], wire: (app: FastifyInstance, config: Static<S>) => void | Promise<void>) {
  return fp(
    async function domain(app: FastifyInstance, opts: { config: Static<S> }) {
      await wire(app, opts.config)
    },
    { name, dependencies: ['sunbae-platform', ...dependencies] },
  )
}
