import t from 'tap'
import { buildChat } from './helpers.ts'

// The routes' TypeBox schemas become the service's OpenAPI document (the gateway and web rely on it).
t.test('the OpenAPI document lists the chat routes', async (t) => {
  const app = await buildChat({ CHAT_SYNC_ENABLED: 'false' })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(res.statusCode, 200)
  const paths = Object.keys(res.json().paths)
  for (const p of ['/api/chat/rooms/', '/api/chat/rooms/{id}/messages', '/api/chat/rooms/{id}/read', '/api/admin/chat/messages', '/api/admin/chat/rooms/{roomId}/messages/{messageId}/hide']) {
    t.ok(paths.includes(p), p)
  }
})
