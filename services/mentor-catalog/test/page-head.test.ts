// What search engines read of a mentor page: the head fragment nginx includes into index.html
// (GET /api/mentors/:id/head) and the sitemap (GET /api/mentors/sitemap.xml), against the real service;
// and the rendering's escaping on its own.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { authEmulatorMissing } from '@sunbae/testing'
import { escapeHtml, mentorHead, sitemap, summary } from '../src/mentors/page-head.ts'
import { buildCatalog } from './helpers.ts'
import { adminHeaders, approvedMentor } from './accounts.ts'

const skip = authEmulatorMissing()
const ORIGIN = 'https://sunbae.test'

/** The JSON-LD blocks of a head, parsed. */
const jsonLd = (html: string): Record<string, unknown>[] =>
  [...html.matchAll(/<script type="application\/ld\+json">(.*?)<\/script>/gs)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>)

t.test('a mentor page\'s head: title with name and headline, description, Open Graph, canonical, JSON-LD Person; the sitemap lists approved mentors only', { skip }, async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const { mentorId } = await approvedMentor(app, { headline: 'Staff engineer · system design', skills: ['python', 'system design'] })
  const gone = await approvedMentor(app)
  const name = ((await app.inject(`/api/mentors/${mentorId}`)).json() as { displayName: string }).displayName

  const res = await app.inject(`/api/mentors/${mentorId}/head?origin=${encodeURIComponent(ORIGIN)}`)
  t.equal(res.statusCode, 200, res.body)
  t.match(res.headers['content-type'], /^text\/html/)
  const html = res.body
  t.match(html, `<title>${name} — Staff engineer · system design | 선배 Sunbae</title>`, 'name and headline in the title')
  t.match(html, /<meta name="description" content="Staff engineer · system design\. [^"]+" \/>/)
  t.match(html, `<link rel="canonical" href="${ORIGIN}/mentors/${mentorId}" />`)
  t.match(html, `<meta property="og:url" content="${ORIGIN}/mentors/${mentorId}" />`)
  t.match(html, /<meta property="og:title" content="[^"]+" \/>/)
  const [person] = jsonLd(html)
  t.match(person, { '@context': 'https://schema.org', '@type': 'Person', name, jobTitle: 'Staff engineer · system design', url: `${ORIGIN}/mentors/${mentorId}` })
  t.same(person?.knowsAbout, ['python', 'system design'], 'knowsAbout: the skills')

  t.equal((await app.inject(`/api/mentors/${randomUUID()}/head?origin=${encodeURIComponent(ORIGIN)}`)).statusCode, 404, 'an unknown mentor is 404')
  t.equal((await app.inject(`/api/mentors/${mentorId}/head`)).statusCode, 400, 'the origin is required')
  for (const bad of ['javascript:alert(1)', 'https://x.test/path', 'https://a"b.test', 'ftp://x.test']) {
    t.equal((await app.inject(`/api/mentors/${mentorId}/head?origin=${encodeURIComponent(bad)}`)).statusCode, 400, `origin ${bad} is refused`)
  }

  const suspended = await app.inject({ method: 'POST', url: `/api/admin/mentors/${gone.mentorId}/suspend`, headers: adminHeaders(), payload: { reason: '허위 경력' } })
  t.equal(suspended.statusCode, 200, suspended.body)
  t.equal((await app.inject(`/api/mentors/${gone.mentorId}/head?origin=${encodeURIComponent(ORIGIN)}`)).statusCode, 404, 'a suspended mentor has no page')

  const map = await app.inject(`/api/mentors/sitemap.xml?origin=${encodeURIComponent(ORIGIN)}`)
  t.equal(map.statusCode, 200, map.body)
  t.match(map.headers['content-type'], /^application\/xml/)
  t.match(map.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/)
  t.match(map.body, `<loc>${ORIGIN}/mentors/${mentorId}</loc>`, 'an approved mentor is listed')
  t.notMatch(map.body, gone.mentorId, 'a suspended one is not')
  t.match(map.body, `<loc>${ORIGIN}/</loc>`, 'and the search page')
})

t.test('the head escapes what mentors write', async (t) => {
  const evil = '</script><script>alert(1)</script> "quoted" & <b>'
  const html = mentorHead({
    id: '0190a000-0000-7000-8000-000000000001', displayName: evil, headline: evil, bio: evil, skills: [evil], company: evil,
    yearsExperience: 3, hourlyRate: 10000, languages: ['ko'], timezone: 'Asia/Seoul', links: [], rating: 0, reviewCount: 0, approvedAt: new Date(0).toISOString(), photoUrl: null,
  }, ORIGIN)
  t.notMatch(html, '<script>alert', 'no markup from the profile')
  t.equal(html.match(/<\/script>/g)?.length, 1, 'one script element, closed once')
  t.equal(html.match(/<title>/g)?.length, 1)
  const [person] = jsonLd(html)
  t.equal(person?.name, evil, 'the JSON-LD still carries the exact text')
  t.same(person?.knowsAbout, [evil])
  t.equal(escapeHtml('<a href="x">&\''), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;')
  t.equal(summary('a '.repeat(200), 20).length <= 20, true, 'a description is cut near its limit')
  t.match(summary('word '.repeat(100), 30), /word…$/, 'at a word boundary, with an ellipsis')
  t.equal(summary('  short\n text '), 'short text')
  t.match(sitemap([{ id: 'a&b', updatedAt: new Date(0) }], ORIGIN), '<loc>https://sunbae.test/mentors/a&amp;b</loc><lastmod>1970-01-01T00:00:00.000Z</lastmod>')
})
