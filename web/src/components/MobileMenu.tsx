// The phone's menu: a drawer with the areas access.ts allows and the account, loaded when first opened.
import { Drawer, Menu } from 'antd'
import { useState } from 'react'
import { Link, useLocation } from 'react-router'
import { useI18n } from '../i18n/index.tsx'
import { AntdConfig } from './AntdConfig.tsx'
import { Account, isCurrent, LABELS, PATHS, type NavArea } from './AppLayout.tsx'

export default function MobileMenu({ areas, onClose }: { areas: NavArea[]; onClose: () => void }) {
  const { t } = useI18n()
  const { pathname } = useLocation()
  // open on mount, closed by the drawer's own animation before the parent unmounts it
  const [open, setOpen] = useState(true)
  const items = areas.map((a) => ({ key: PATHS[a], label: <Link to={PATHS[a]}>{t[LABELS[a]] as string}</Link> }))
  return (
    <AntdConfig>
      <Drawer open={open} onClose={() => setOpen(false)} afterOpenChange={(o) => !o && onClose()} placement="right" size={260} title={t.appName}>
        <Menu mode="vertical" selectedKeys={areas.map((a) => PATHS[a]).filter((p) => isCurrent(p, pathname))} items={items} onClick={() => setOpen(false)} />
        <div style={{ marginTop: 16 }}>
          <Account onDark={false} />
        </div>
      </Drawer>
    </AntdConfig>
  )
}
