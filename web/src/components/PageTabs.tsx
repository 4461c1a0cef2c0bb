// The tabs of a page whose tab is in its URL (?tab=: the admin area, my page), drawn as antd's line tabs.
//
// Not antd's Tabs: its tab bar always renders the overflow "more" button (and, hidden, the add button)
// inside the role="tablist" element, where only tabs may be (axe-core aria-required-children, serious),
// whatever `more` is given. Here the tablist holds only the tabs, which wrap to a second line instead of
// hiding behind a menu, so every tab is reachable and named. The WAI-ARIA tabs pattern: one tab in the
// Tab order (the selected one), arrow keys / Home / End move between tabs, Enter or Space (a button's
// click) opens one; the panel is labelled by its tab. Only the open tab's panel is rendered.
import { theme } from 'antd'
import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react'

export interface PageTab {
  key: string
  label: ReactNode
  children: ReactNode
}

export function PageTabs({ items, activeKey, onChange }: { items: PageTab[]; activeKey?: string; onChange: (key: string) => void }) {
  const { token } = theme.useToken()
  const id = useId()
  const refs = useRef(new Map<string, HTMLButtonElement>())
  // no (or an unknown) key: the first tab
  const active = items.find((i) => i.key === activeKey) ?? items[0]
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = items.findIndex((i) => refs.current.get(i.key) === document.activeElement)
    if (at < 0) return
    const to = e.key === 'ArrowRight' ? (at + 1) % items.length
      : e.key === 'ArrowLeft' ? (at - 1 + items.length) % items.length
        : e.key === 'Home' ? 0
          : e.key === 'End' ? items.length - 1
            : -1
    if (to < 0) return
    e.preventDefault()
    refs.current.get(items[to]!.key)?.focus()
  }
  const tabId = (key: string) => `${id}-tab-${key}`
  const panelId = (key: string) => `${id}-panel-${key}`
  return (
    <div>
      <div
        role="tablist"
        aria-orientation="horizontal"
        onKeyDown={onKeyDown}
        style={{ display: 'flex', flexWrap: 'wrap', columnGap: 32, marginBottom: 16, borderBottom: `1px solid ${token.colorBorderSecondary}` }}
      >
        {items.map((item) => {
          const selected = item.key === active?.key
          return (
            <button
              key={item.key}
              ref={(el) => { if (el) refs.current.set(item.key, el); else refs.current.delete(item.key) }}
              type="button"
              role="tab"
              id={tabId(item.key)}
              aria-selected={selected}
              // only the open tab's panel exists
              aria-controls={selected ? panelId(item.key) : undefined}
              tabIndex={selected ? 0 : -1}
              onClick={() => { if (!selected) onChange(item.key) }}
              style={{
                padding: '12px 0',
                marginBottom: -1,
                border: 0,
                borderBottom: `2px solid ${selected ? token.colorPrimary : 'transparent'}`,
                background: 'none',
                cursor: 'pointer',
                font: 'inherit',
                fontSize: token.fontSize,
                lineHeight: token.lineHeight,
                color: selected ? token.colorPrimary : token.colorText,
                outlineOffset: -2,
              }}
            >
              {item.label}
            </button>
          )
        })}
      </div>
      {active && (
        <div role="tabpanel" id={panelId(active.key)} aria-labelledby={tabId(active.key)}>
          {active.children}
        </div>
      )}
    </div>
  )
}
