// The results' pager, drawn like antd's Pagination with its page-size select but made of plain elements:
// a <nav> of real links (each page's URL, which crawlers follow; a plain click stays in the app without
// a page load), the current page marked with aria-current, and a native <select> for the page size.
// antd's Pagination and Select brought about 75 KB gzipped (the select's virtual list, its popup and
// their styles) and their CSS-in-JS start-up to every search with more than one page of results.
import type { MouseEvent, ReactNode } from 'react'
import { LeftOutlined, RightOutlined } from '../../components/icons.tsx'
import { usePagerWords } from '../../i18n/pager.ts'
import { lastPage, pagerItems, toSearchParams, updateSearch, type SearchState } from '../../lib/search-state.ts'
import './pager.css'

const PAGE_SIZES = [10, 20, 50]

export function Pager({ state, total, go }: { state: SearchState; total: number; go: (patch: Partial<SearchState>) => void }) {
  const w = usePagerWords()
  const last = lastPage(total, state.pageSize)
  const href = (page: number) => {
    const query = toSearchParams(updateSearch(state, { page })).toString()
    return query ? `/?${query}` : '/'
  }
  // a plain click changes the page in the app; a click with a modifier (new tab, new window) is the browser's
  const open = (page: number) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    go({ page })
  }
  const step = (page: number, label: string, rel: 'prev' | 'next', icon: ReactNode) =>
    page >= 1 && page <= last
      ? <a className="sb-pager-item" href={href(page)} rel={rel} aria-label={label} onClick={open(page)}>{icon}</a>
      : <span className="sb-pager-item" aria-disabled="true" aria-label={label} role="link">{icon}</span>
  return (
    <nav className="sb-pager" aria-label={w.pagerLabel}>
      <ul>
        <li>{step(state.page - 1, w.pagerPrev, 'prev', <LeftOutlined />)}</li>
        {pagerItems(state.page, last).map((p, i) =>
          p === 'gap'
            ? <li key={`gap${i}`} className="sb-pager-gap" aria-hidden>…</li>
            : (
              <li key={p}>
                <a className="sb-pager-item" href={href(p)} aria-label={w.pagerPage(p)} aria-current={p === state.page ? 'page' : undefined} onClick={open(p)}>{p}</a>
              </li>
            ))}
        <li>{step(state.page + 1, w.pagerNext, 'next', <RightOutlined />)}</li>
      </ul>
      <select className="sb-pager-size" aria-label={w.pagerSizeLabel} value={state.pageSize} onChange={(e) => go({ pageSize: Number(e.target.value), page: 1 })}>
        {[...new Set([...PAGE_SIZES, state.pageSize])].sort((a, b) => a - b).map((n) => <option key={n} value={n}>{w.pagerSize(n)}</option>)}
      </select>
    </nav>
  )
}
