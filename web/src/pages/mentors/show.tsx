// A mentor: profile, reviews (paged), booking, and the "request 1:1 chat" action.
//
// Visitors often arrive here from a search engine, on a phone, so the first screen — the profile and its
// details — is plain markup drawn like antd's Card, Descriptions, Tag and Rate (show.css) and is part of
// the app's first chunk: nothing waits for antd's code or its CSS-in-JS start-up before the mentor is
// on screen. Below it, a signed-out visitor gets the booking card, the review link and the reviews as
// plain markup too (public.tsx); a signed-in one gets them with antd's forms (extras.tsx, a chunk of its
// own, drawn when it comes near the screen: WhenNear). The request dialog loads when it is opened.
import { useQuery } from '@tanstack/react-query'
import { lazy, Suspense, useState } from 'react'
import { Link, useLocation, useParams } from 'react-router'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { Avatar } from '../../components/Avatar.tsx'
import { Loading, QueryView } from '../../components/States.tsx'
import { WhenNear } from '../../components/WhenNear.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { can } from '../../lib/access.ts'
import { TOKENS } from '../../lib/theme.ts'
import { getMentor } from '../../services/catalog.ts'
import { PublicExtras } from './public.tsx'
import { Stars } from './stars.tsx'
import './show.css'

const MentorExtras = lazy(() => import('./extras.tsx'))
const RequestChatDialog = lazy(() => import('./extras.tsx').then((m) => ({ default: m.RequestChatDialog })))

/** antd's Tag (default) */
const TAG = { display: 'inline-block', paddingInline: 7, fontSize: 12, lineHeight: '20px', whiteSpace: 'nowrap', background: '#fafafa', color: TOKENS.colorText, border: '1px solid #d9d9d9', borderRadius: 4 } as const

function RequestChat({ mentorId }: { mentorId: string }) {
  const { t } = useI18n()
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="sb-btn sb-btn-primary sb-btn-lg" onClick={() => setOpen(true)}>{t.requestChat}</button>
      {open && <Suspense fallback={null}><RequestChatDialog mentorId={mentorId} onClose={() => setOpen(false)} /></Suspense>}
    </>
  )
}

export default function MentorShow() {
  const { id = '' } = useParams()
  const { t } = useI18n()
  const { viewer, ready, user } = useAuth()
  const loc = useLocation()
  const mentor = useQuery({ queryKey: ['mentor', id], queryFn: () => getMentor(id) })
  return (
    <QueryView query={mentor}>
      {(m) => (
        <div className="sb-mentor">
          <section className="sb-card">
            <div className="sb-card-body" style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
              <div style={{ display: 'flex', gap: 16, alignItems: 'center' }}>
                {/* the name beside it says whose: the photo's alt is empty rather than the name read twice */}
                <Avatar id={m.id} name={m.displayName} photoUrl={m.photoUrl} size={96} decorative loading="eager" />
                <h1 style={{ margin: 0, fontSize: 38, fontWeight: 600, lineHeight: 1.21 }}>{m.displayName}</h1>
              </div>
              {/* the headline is the name's subtitle, not a section: a paragraph (Lighthouse's heading-order) */}
              <p style={{ margin: 0, fontSize: 20, fontWeight: 600, lineHeight: 1.4, color: TOKENS.colorTextSecondary }}>{m.headline}</p>
              <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
                <Stars rating={m.rating} />
                <span>{m.rating.toFixed(1)} · {t.reviews(m.reviewCount)}</span>
              </div>
              <div style={{ display: 'flex', flexWrap: 'wrap', gap: 4 }}>{m.skills.map((s) => <span key={s} style={TAG}>{s}</span>)}</div>
              <p style={{ margin: '0 0 1em', whiteSpace: 'pre-wrap' }}>{m.bio}</p>
              <div>
                {can(viewer, 'requestChat') ? <RequestChat mentorId={m.id} /> : (
                  <Link to={`/login?next=${encodeURIComponent(loc.pathname)}`} className="sb-btn sb-btn-primary sb-btn-lg" style={{ textDecoration: 'none' }}>{t.loginToRequest}</Link>
                )}
              </div>
            </div>
          </section>
          <div className="sb-mentor-side">
            <section className="sb-card" aria-labelledby="mentor-profile">
              <h2 className="sb-card-title" id="mentor-profile">{t.profile}</h2>
              <div className="sb-card-body" style={{ padding: '16px 24px' }}>
                <dl className="sb-desc">
                  <dt>{t.hourlyRate}</dt><dd>{t.perHour(m.hourlyRate)}</dd>
                  <dt>{t.yearsExperience}</dt><dd>{m.yearsExperience}</dd>
                  {m.company && <><dt>{t.company}</dt><dd>{m.company}</dd></>}
                  <dt>{t.languages}</dt><dd>{m.languages.join(', ')}</dd>
                  <dt>{t.timezone}</dt><dd>{m.timezone}</dd>
                  {m.links.length > 0 && (
                    <>
                      <dt>{t.links}</dt>
                      <dd style={{ display: 'flex', flexDirection: 'column' }}>
                        {m.links.map((l) => <a key={l} href={l} target="_blank" rel="noopener noreferrer nofollow" style={{ color: '#1d5fd6' }}>{l}</a>)}
                      </dd>
                    </>
                  )}
                </dl>
              </div>
            </section>
            {/* signed out (most visitors): plain markup (public.tsx); signed in: antd's forms and lists, drawn
                when they come near the screen */}
            {ready && !user ? <PublicExtras mentorId={m.id} /> : (
              <WhenNear>
                {ready ? <Suspense fallback={<Loading />}><MentorExtras mentorId={m.id} /></Suspense> : <Loading />}
              </WhenNear>
            )}
          </div>
        </div>
      )}
    </QueryView>
  )
}
