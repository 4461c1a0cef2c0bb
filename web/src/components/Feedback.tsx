// The layout route of every page but the landing (search) page: antd's theme and locale (AntdConfig) and
// antd's App, the message holder useFeedback (feedback.ts) shows request errors and successes with.
// Loaded with the first of those pages — ConfigProvider's CSS-in-JS runtime and theme, and antd's App
// with message, notification and modal (about 20 KB gzipped), are nothing the search page draws. The
// text styles antd's App set (font, colour, size) are on AppLayout's root.
import { App as AntApp } from 'antd'
import { Outlet } from 'react-router'
import { AntdConfig } from './AntdConfig.tsx'

export default function Feedback() {
  return (
    <AntdConfig>
      <AntApp component={false}>
        <Outlet />
      </AntApp>
    </AntdConfig>
  )
}
