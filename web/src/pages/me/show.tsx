// My page: what I see depends on my role (access.ts).
import { Descriptions, Flex, Typography } from 'antd'
import { useSearchParams } from 'react-router'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { PageTabs } from '../../components/PageTabs.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { can } from '../../lib/access.ts'
import { myPageTab } from '../../lib/notifications.ts'
import { HiddenMentorsCard, MatchesCard, OutboxCard, PreferencesCard, RecommendationsCard } from './mentee.tsx'
import { CapacityCard, InboxCard, MentorProfileCard } from './mentor.tsx'
import { AvailabilityTab } from '../meetings/availability.tsx'
import { SessionsTab } from '../meetings/list.tsx'
import { EarningsTab, MyPaymentsTab } from '../payments/list.tsx'
import { NotificationSettingsTab } from './notifications.tsx'
import { VerifyEmailNotice } from './verify-email.tsx'
import { DisplayName } from './profile.tsx'
import { DeleteAccountCard } from './delete-account.tsx'

export default function MyPage() {
  const { t } = useI18n()
  const { viewer, user, role } = useAuth()
  const [params, setParams] = useSearchParams()
  const roleLabel = role === 'admin' ? t.roleAdmin : role === 'mentor' ? t.roleMentor : t.roleMentee
  const tabs = [
    ...(can(viewer, 'seeInbox') ? [{ key: 'mentor', label: t.inbox, children: (
      <Flex vertical gap={16}><InboxCard /><MatchesCard as="mentor" /><CapacityCard /><MentorProfileCard /></Flex>
    ) }] : []),
    ...(can(viewer, 'seeRecommendations') ? [{ key: 'mentee', label: t.recommendations, children: (
      <Flex vertical gap={16}><MatchesCard as="mentee" /><RecommendationsCard /><OutboxCard /><PreferencesCard /><HiddenMentorsCard /></Flex>
    ) }] : []),
    // meetings: every signed-in user's sessions; a mentor's bookable hours
    { key: 'sessions', label: t.meetingTabSessions, children: <SessionsTab /> },
    ...(can(viewer, 'seeInbox') ? [{ key: 'availability', label: t.meetingTabAvailability, children: <AvailabilityTab /> }] : []),
    // payments: what I paid as a mentee; a mentor's earnings
    { key: 'payments', label: t.paymentTabMine, children: <MyPaymentsTab /> },
    ...(can(viewer, 'seeInbox') ? [{ key: 'earnings', label: t.paymentTabEarnings, children: <EarningsTab /> }] : []),
    // what notification tells me, and how (the footer of its emails points here)
    { key: 'notifications', label: t.notifTitle, children: <NotificationSettingsTab /> },
  ]
  // notification's links name some tabs their own way (?tab=requests, ?tab=bookings)
  const active = myPageTab(params.get('tab'), tabs.map((x) => x.key))
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t.myPage}</Typography.Title>
      <VerifyEmailNotice />
      <Descriptions size="small" column={{ xs: 1, md: 3 }} items={[
        { key: 'name', label: t.displayName, children: <DisplayName /> },
        { key: 'email', label: t.email, children: user?.email ?? '—' },
        { key: 'role', label: t.role, children: roleLabel },
      ]} />
      <PageTabs activeKey={active} onChange={(k) => setParams({ tab: k }, { replace: true })} items={tabs} />
      <DeleteAccountCard />
    </Flex>
  )
}
