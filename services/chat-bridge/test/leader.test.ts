import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { waitFor } from '@sunbae/testing'
import { firestoreMissing } from './firebase.ts'
import { buildChat } from './helpers.ts'

// Several replicas: the Firestore → mirror sync runs in one of them at a time, and another takes
// over when it goes away.
const skip = firestoreMissing()
if (skip) t.comment(`skipping the chat sync leadership tests: ${skip}`)

t.test('one replica leads the sync; another takes over when it stops', { skip }, async (t) => {
  // a sync of its own, following from now (not the emulator's whole history)
  const name = `leader-${randomUUID().slice(0, 8)}`
  const env = { CHAT_SYNC_NAME: name, CHAT_SYNC_LEASE_CHECK_MS: '100' }
  const a = await buildChat(env)
  const replicas: FastifyInstance[] = [a]
  t.teardown(() => Promise.all(replicas.map((r) => r.close())))
  for (const feed of ['rooms', 'messages']) await a.chatMirror.setCheckpoint(`${name}:${feed}`, { position: new Date() })
  replicas.push(await buildChat(env), await buildChat(env))

  const leaders = () => replicas.filter((r) => r.chatSync!.isLeader)
  await waitFor(() => leaders().length === 1, 10_000)
  // never two at once, over many lease checks
  for (let i = 0; i < 20; i++) {
    t.equal(leaders().length, 1, `one leader (check ${i})`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const first = leaders()[0]!
  replicas.splice(replicas.indexOf(first), 1)
  await first.close()
  const next = await waitFor(() => (leaders().length === 1 ? leaders()[0] : null), 10_000)
  t.not(next, first, 'another replica took over')
  t.equal(leaders().length, 1)
})
