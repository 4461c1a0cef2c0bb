// The shell: header with the menu access.ts allows, the language switch, the notification bell and
// the account; a drawer menu on phones (MobileMenu, loaded when opened), the bell staying in the header.
//
// Every page shows it, the landing page first, so it is built from light parts: real links (anchors with
// href) in a <nav>, two buttons for the language, a media query for the phone layout. The drawer (antd
// Drawer + Menu) and the bell (Firestore) are chunks of their own.
import { lazy, Suspense, useState } from 'react'
import { Link, Outlet, useLocation, useNavigate } from 'react-router'
import { AccountNotice } from './AccountNotice.tsx'
import { useAuth } from '../auth/AuthProvider.tsx'
import { useI18n } from '../i18n/index.tsx'
import { menuFor, type Area } from '../lib/access.ts'
import { DESKTOP_QUERY, useMediaQuery } from '../lib/media.ts'
import { TOKENS as token } from '../lib/theme.ts'
import type { Dict } from '../i18n/dict.ts'
import { MenuOutlined } from './icons.tsx'
import { Loading } from './States.tsx'
import './shell.css'

// signed-in users only: it brings Firestore (the live unread count)
const NotificationBell = lazy(() => import('./NotificationBell.tsx'))
const MobileMenu = lazy(() => import('./MobileMenu.tsx'))

export type NavArea = Exclude<Area, 'mentor'>

export const PATHS: Record<NavArea, string> = {
  search: '/',
  me: '/me',
  chat: '/chat',
  apply: '/apply',
  admin: '/admin',
  login: '/login',
  signup: '/signup',
}
export const LABELS: Record<NavArea, keyof Dict> = {
  search: 'navSearch',
  me: 'navMe',
  chat: 'navChat',
  apply: 'navApply',
  admin: 'navAdmin',
  login: 'navLogin',
  signup: 'navSignup',
}

/** The header's dark background (antd's Layout.Header) and the text on it: contrast 16:1 and 11:1. */
const HEADER_BG = '#001529'
const ON_DARK = '#fff'
const ON_DARK_DIM = 'rgba(255, 255, 255, 0.78)'

export function isCurrent(path: string, pathname: string): boolean {
  return path === '/' ? pathname === '/' : pathname.startsWith(path)
}

/** The language switch and, when signed in, who I am and a sign-out button. */
export function Account({ onDark }: { onDark: boolean }) {
  const { t, lang, setLang } = useI18n()
  const { user, logout } = useAuth()
  const navigate = useNavigate()
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 8 }}>
      <div role="group" aria-label={t.language} style={{ display: 'flex', gap: 4 }}>
        {([['ko', '한국어'], ['en', 'English']] as const).map(([value, label]) => (
          <button key={value} type="button" lang={value} aria-pressed={lang === value} className={lang === value ? 'sb-btn sb-btn-primary' : onDark ? 'sb-btn sb-btn-ghost' : 'sb-btn'} onClick={() => setLang(value)}>
            {label}
          </button>
        ))}
      </div>
      {user && (
        <>
          <span style={{ color: onDark ? ON_DARK : undefined }} data-testid="whoami">{user.displayName ?? user.email}</span>
          <button type="button" className={onDark ? 'sb-btn sb-btn-ghost' : 'sb-btn'} onClick={() => void logout().then(() => navigate('/'))}>{t.logout}</button>
        </>
      )}
    </div>
  )
}

export function AppLayout() {
  const { t } = useI18n()
  const { viewer, user } = useAuth()
  const desktop = useMediaQuery(DESKTOP_QUERY)
  const [open, setOpen] = useState(false)
  const { pathname } = useLocation()
  const areas = menuFor(viewer).filter((a): a is NavArea => a !== 'mentor')

  return (
    // antd's Layout (header, content, footer) drawn with its sizes and colours (lib/theme.ts), without its
    // code; the text styles antd's App would give (it wraps the other pages only: Feedback.tsx)
    <div style={{ display: 'flex', flexDirection: 'column', minHeight: '100vh', background: token.colorBgLayout, color: token.colorText, fontSize: token.fontSize, lineHeight: token.lineHeight, fontFamily: token.fontFamily }}>
      <header style={{ display: 'flex', alignItems: 'center', gap: 16, height: 64, lineHeight: '64px', background: HEADER_BG, color: token.colorTextLightSolid, paddingInline: desktop ? 24 : 12 }}>
        <Link to="/" style={{ color: ON_DARK, fontWeight: 700, fontSize: 20, whiteSpace: 'nowrap', textDecoration: 'none' }}>{t.appName}</Link>
        {desktop ? (
          <>
            <nav aria-label={t.appName} style={{ flex: 1, minWidth: 0, display: 'flex', gap: 4, overflowX: 'auto' }}>
              {areas.map((a) => {
                const current = isCurrent(PATHS[a], pathname)
                return (
                  <Link
                    key={a}
                    to={PATHS[a]}
                    aria-current={current ? 'page' : undefined}
                    style={{
                      color: current ? ON_DARK : ON_DARK_DIM,
                      padding: '0 12px',
                      lineHeight: '44px',
                      minHeight: 44,
                      borderBottom: current ? '3px solid #4d8df5' : '3px solid transparent',
                      whiteSpace: 'nowrap',
                      textDecoration: 'none',
                    }}
                  >
                    {t[LABELS[a]] as string}
                  </Link>
                )
              })}
            </nav>
            {user && <Suspense fallback={null}><NotificationBell uid={user.uid} /></Suspense>}
            <Account onDark />
          </>
        ) : (
          <>
            <div style={{ flex: 1 }} />
            {user && <Suspense fallback={null}><NotificationBell uid={user.uid} /></Suspense>}
            <button type="button" className="sb-btn sb-btn-icon" aria-label="menu" aria-expanded={open} onClick={() => setOpen(true)}><MenuOutlined /></button>
            {open && (
              <Suspense fallback={null}>
                <MobileMenu areas={areas} onClose={() => setOpen(false)} />
              </Suspense>
            )}
          </>
        )}
      </header>
      <div style={{ flex: 'auto', minHeight: 0, boxSizing: 'border-box', padding: desktop ? '24px 48px' : 12, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <main>
          <AccountNotice />
          {/* the pages other than search are lazy chunks (App.tsx) */}
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
      <footer style={{ padding: '24px 50px', textAlign: 'center', background: token.colorBgLayout }}>{t.appName} · {t.tagline}</footer>
    </div>
  )
}
