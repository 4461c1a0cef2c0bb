// The shell: header with the menu access.ts allows, the language switch, the notification bell and
// the account; a drawer menu on phones (antd Grid breakpoints), the bell staying in the header.
import { Button, Drawer, Grid, Layout, Menu, Segmented, Space, Typography } from 'antd'
import { MenuOutlined } from '@ant-design/icons'
import { useState } from 'react'
import { Link, Outlet, useLocation, useNavigate } from 'react-router'
import { useAuth } from '../auth/AuthProvider.tsx'
import { useI18n } from '../i18n/index.tsx'
import { menuFor, type Area } from '../lib/access.ts'
import type { Dict } from '../i18n/dict.ts'
import { NotificationBell } from './NotificationBell.tsx'

const PATHS: Record<Exclude<Area, 'mentor'>, string> = {
  search: '/',
  me: '/me',
  chat: '/chat',
  apply: '/apply',
  admin: '/admin',
  login: '/login',
  signup: '/signup',
}
const LABELS: Record<Exclude<Area, 'mentor'>, keyof Dict> = {
  search: 'navSearch',
  me: 'navMe',
  chat: 'navChat',
  apply: 'navApply',
  admin: 'navAdmin',
  login: 'navLogin',
  signup: 'navSignup',
}

export function AppLayout() {
  const { t, lang, setLang } = useI18n()
  const { viewer, user, logout } = useAuth()
  const screens = Grid.useBreakpoint()
  const [open, setOpen] = useState(false)
  const loc = useLocation()
  const navigate = useNavigate()
  const areas = menuFor(viewer).filter((a): a is Exclude<Area, 'mentor'> => a !== 'mentor')
  const items = areas.map((a) => ({ key: PATHS[a], label: <Link to={PATHS[a]}>{t[LABELS[a]] as string}</Link> }))
  const selected = areas.map((a) => PATHS[a]).filter((p) => (p === '/' ? loc.pathname === '/' : loc.pathname.startsWith(p)))
  const desktop = screens.md ?? true

  const account = (
    <Space wrap>
      <Segmented
        aria-label={t.language}
        size="small"
        value={lang}
        onChange={(v) => setLang(v as 'ko' | 'en')}
        options={[{ label: '한국어', value: 'ko' }, { label: 'English', value: 'en' }]}
      />
      {user && (
        <>
          <Typography.Text style={{ color: desktop ? '#fff' : undefined }} data-testid="whoami">{user.displayName ?? user.email}</Typography.Text>
          <Button size="small" onClick={() => void logout().then(() => navigate('/'))}>{t.logout}</Button>
        </>
      )}
    </Space>
  )

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: desktop ? 24 : 12 }}>
        <Link to="/" style={{ color: '#fff', fontWeight: 700, fontSize: 20, whiteSpace: 'nowrap' }}>{t.appName}</Link>
        {desktop ? (
          <>
            <Menu theme="dark" mode="horizontal" selectedKeys={selected} items={items} style={{ flex: 1, minWidth: 0 }} />
            {user && <NotificationBell uid={user.uid} />}
            {account}
          </>
        ) : (
          <>
            <div style={{ flex: 1 }} />
            {user && <NotificationBell uid={user.uid} />}
            <Button aria-label="menu" icon={<MenuOutlined />} onClick={() => setOpen(true)} />
            <Drawer open={open} onClose={() => setOpen(false)} placement="right" size={260} title={t.appName}>
              <Menu mode="vertical" selectedKeys={selected} items={items} onClick={() => setOpen(false)} />
              <div style={{ marginTop: 16 }}>{account}</div>
            </Drawer>
          </>
        )}
      </Layout.Header>
      <Layout.Content style={{ padding: desktop ? '24px 48px' : 12, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <main>
          <Outlet />
        </main>
      </Layout.Content>
      <Layout.Footer style={{ textAlign: 'center' }}>{t.appName} · {t.tagline}</Layout.Footer>
    </Layout>
  )
}
