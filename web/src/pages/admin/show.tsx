// The admin area: one page, a tab per resource; the tab is in the URL (?tab=), and so is the time
// range (lib/time-range.ts), which a change of tab keeps.
import { Flex, Typography } from 'antd'
import { useSearchParams } from 'react-router'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { PageTabs } from '../../components/PageTabs.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { can } from '../../lib/access.ts'
import { timeRangeParams } from '../../lib/time-range.ts'
import ApplicationsList from './applications.tsx'
import BookingsAdmin from './bookings.tsx'
import ChatModeration from './chat.tsx'
import DeadLettersAdmin from './dead-letters.tsx'
import MatchingAdmin from './matching.tsx'
import MentorsAdmin from './mentors.tsx'
import PaymentsAdmin from './payments.tsx'
import ReviewsAdmin from './reviews.tsx'
import UsersList from './users.tsx'
import { TrackingRequests, TrackingAudit, TrackingCharts, TrackingErrors, TrackingKeywords, TrackingSlowQueries } from './tracking.tsx'

export default function AdminPage() {
  const { t } = useI18n()
  const { viewer } = useAuth()
  const [params, setParams] = useSearchParams()
  const items = [
    { key: 'applications', label: t.adminApplications, children: <ApplicationsList /> },
    ...(can(viewer, 'suspendMentors') ? [{ key: 'mentors', label: t.adminMentors, children: <MentorsAdmin /> }] : []),
    { key: 'users', label: t.adminUsers, children: <UsersList /> },
    { key: 'reviews', label: t.adminReviews, children: <ReviewsAdmin /> },
    { key: 'payments', label: t.adminPayments, children: <PaymentsAdmin /> },
    { key: 'bookings', label: t.adminBookings, children: <BookingsAdmin /> },
    { key: 'matching', label: t.adminMatching, children: <MatchingAdmin /> },
    ...(can(viewer, 'moderateChat') ? [{ key: 'chat', label: t.adminChat, children: <ChatModeration /> }] : []),
    { key: 'traffic', label: t.adminTracking, children: <TrackingCharts /> },
    { key: 'requests', label: t.adminRequests, children: <TrackingRequests /> },
    { key: 'keywords', label: t.adminKeywords, children: <TrackingKeywords /> },
    { key: 'audit', label: t.adminAudit, children: <TrackingAudit /> },
    { key: 'errors', label: t.adminErrors, children: <TrackingErrors /> },
    { key: 'slow', label: t.adminSlow, children: <TrackingSlowQueries /> },
    { key: 'dead-letters', label: t.adminDeadLetters, children: <DeadLettersAdmin /> },
  ]
  const active = items.some((i) => i.key === params.get('tab')) ? params.get('tab')! : 'applications'
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t.navAdmin}</Typography.Title>
      <PageTabs activeKey={active} onChange={(k) => setParams(() => { const p = timeRangeParams(params); p.set('tab', k); return p })} items={items} />
    </Flex>
  )
}
