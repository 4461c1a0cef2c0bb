// antd's App around every page but the landing (search) page: the message holder useFeedback
// (feedback.ts) shows request errors and successes with. A layout route of its own, loaded with the
// first of those pages — antd's App brings message, notification and modal (about 20 KB gzipped) that
// the search page never shows. The text styles antd's App set (font, colour, size) are on AppLayout's root.
import { App as AntApp } from 'antd'
import { Outlet } from 'react-router'

export default function Feedback() {
  return (
    <AntApp component={false}>
      <Outlet />
    </AntApp>
  )
}
