// A notice that survives the page load after signing out: "your account was deleted" (issue 21). The
// danger zone (pages/me/delete-account.tsx) leaves it in sessionStorage and loads the home page afresh;
// the layout shows it once. Plain markup: it sits on the search page, which carries no antd App.
import { useState } from 'react'
import { useDeletionWords } from '../i18n/deletion.ts'

const KEY = 'sunbae.notice'

/** Leaves the notice for the next page load. */
export function leaveAccountDeletedNotice(): void {
  try {
    sessionStorage.setItem(KEY, 'accountDeleted')
  } catch {
    // storage refused (private mode): the deletion happened all the same
  }
}

function takeNotice(): string | null {
  try {
    const v = sessionStorage.getItem(KEY)
    if (v) sessionStorage.removeItem(KEY)
    return v
  } catch {
    return null
  }
}

export function AccountNotice() {
  const w = useDeletionWords()
  const [notice, setNotice] = useState(takeNotice)
  if (notice !== 'accountDeleted') return null
  return (
    <div role="status" data-testid="account-deleted" style={{ display: 'flex', gap: 12, alignItems: 'center', justifyContent: 'space-between', padding: '8px 16px', marginBottom: 16, border: '1px solid #b7eb8f', background: '#f6ffed', borderRadius: 6, color: '#135200' }}>
      <span>{w.deleteDone}</span>
      <button type="button" onClick={() => setNotice(null)} aria-label={w.deleteNoticeClose} style={{ border: 'none', background: 'transparent', cursor: 'pointer', fontSize: 16, color: '#135200' }}>×</button>
    </div>
  )
}
