// What search engines and link previews read of a mentor page (/mentors/:id): the document head, filled
// in by the server around the single-page app, and the sitemap of approved mentors.
//
// Why a head injected into the SPA's index.html instead of server-side rendering: the page body is the
// React app (antd, TanStack Query) and stays so; what crawlers and link previews need is in the head
// (title, description, Open Graph, canonical URL, JSON-LD), and they get it in the first response. nginx
// includes this fragment into index.html with SSI (deploy/nginx/nginx.conf), so there is no Node render
// tier to run, no hydration to keep in step, and the app behaves exactly as before. Google renders the
// body's JavaScript anyway; the others (link previews, most crawlers) read only the head.
import { photoUrlOfSize, type MentorProfile } from '@sunbae/contracts'

/** As in the web's index.html. */
export const SITE_NAME = '선배 Sunbae'
/** Google reads at most 50,000 URLs from one sitemap file. */
export const SITEMAP_MAX_URLS = 50_000
const DESCRIPTION_MAX = 160

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

/** JSON inside <script>: no `</script>` or `<!--` can end or confuse the element. */
const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')

/** Whitespace collapsed and cut at a word boundary near `max` characters, with an ellipsis when cut. */
export function summary(text: string, max = DESCRIPTION_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  const cut = flat.slice(0, max - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}

export const mentorUrl = (origin: string, id: string) => `${origin}/mentors/${id}`

/** The head of a mentor's page: title (name and headline), description, Open Graph, canonical URL and a JSON-LD Person. */
export function mentorHead(m: MentorProfile, origin: string): string {
  const url = mentorUrl(origin, m.id)
  const title = `${m.displayName} — ${m.headline} | ${SITE_NAME}`
  const description = summary(`${m.headline}. ${m.bio}`)
  const image = m.photoUrl ? `${origin}${photoUrlOfSize(m.photoUrl, 480)}` : null
  const person = {
    '@context': 'https://schema.org',
    '@type': 'Person',
    name: m.displayName,
    jobTitle: m.headline,
    description: summary(m.bio, 300),
    url,
    ...(m.company ? { worksFor: { '@type': 'Organization', name: m.company } } : {}),
    knowsAbout: m.skills,
    knowsLanguage: m.languages,
    ...(m.links.length ? { sameAs: m.links } : {}),
    ...(image ? { image } : {}),
  }
  return [
    `<title>${escapeHtml(title)}</title>`,
    `<meta name="description" content="${escapeHtml(description)}" />`,
    `<link rel="canonical" href="${escapeHtml(url)}" />`,
    `<meta property="og:type" content="profile" />`,
    `<meta property="og:site_name" content="${escapeHtml(SITE_NAME)}" />`,
    `<meta property="og:title" content="${escapeHtml(`${m.displayName} — ${m.headline}`)}" />`,
    `<meta property="og:description" content="${escapeHtml(description)}" />`,
    `<meta property="og:url" content="${escapeHtml(url)}" />`,
    ...(image ? [`<meta property="og:image" content="${escapeHtml(image)}" />`] : []),
    `<meta name="twitter:card" content="summary" />`,
    `<script type="application/ld+json">${scriptJson(person)}</script>`,
  ].join('\n    ')
}

/** The sitemap (sitemaps.org 0.9) of the approved, active mentors' pages. */
export function sitemap(entries: { id: string; updatedAt: Date }[], origin: string): string {
  const urls = entries.map((e) => `  <url><loc>${escapeHtml(mentorUrl(origin, e.id))}</loc><lastmod>${e.updatedAt.toISOString()}</lastmod></url>`)
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', `  <url><loc>${escapeHtml(origin)}/</loc></url>`, ...urls, '</urlset>', ''].join('\n')
}
