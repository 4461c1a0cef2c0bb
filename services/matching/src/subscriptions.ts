import { BUS_CONSUMERS, CatalogEvents } from '@sunbae/contracts'
import { subscriptions } from '@sunbae/service-kit'

/**
 * Matching's durable consumers and what each event does (the read model of mentors has a batch
 * consumer of its own: readmodel/readmodel.plugin.ts). Durable names and filters are deployed state: keep them.
 */
export default subscriptions((app, consumer) => {
  const accounts = app.accountEvents

  consumer(BUS_CONSUMERS.matching.catalogUsers, (on) => {
    // a mentee's name on requests and matches follows their account (issue 21: rename propagation)
    on(CatalogEvents.userRegistered, (d, { event, trx }) => accounts.onUserNamed(d, event, trx))
    on(CatalogEvents.userUpdated, (d, { event, trx }) => accounts.onUserNamed(d, event, trx))
    // a deleted account: its name, request messages, preferences and settings are erased (issue 21)
    on(CatalogEvents.userDeleted, async (d, { event, trx }) => {
      const erased = await app.accountErasure.onUserDeleted(d, event, trx)
      app.log.info({ uid: d.uid, ...erased }, 'deleted account erased')
    })
  })
})
