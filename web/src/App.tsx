import { ConfigProvider } from 'antd'
import enUS from 'antd/locale/en_US'
import koKR from 'antd/locale/ko_KR'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { lazy } from 'react'
import { BrowserRouter, Route, Routes } from 'react-router'
import { AuthProvider } from './auth/AuthProvider.tsx'
import { AppLayout } from './components/AppLayout.tsx'
import { ErrorBoundary } from './components/ErrorBoundary.tsx'
import { RequireAccess } from './components/RequireAccess.tsx'
import { I18nProvider, useI18n } from './i18n/index.tsx'
import { ApiError } from './lib/errors.ts'
import SearchPage from './pages/search/list.tsx'

// Route splitting: the landing page (search) is in the entry chunk; every other page is a chunk of
// its own, downloaded when it is first opened (AppLayout's Suspense shows the loading state meanwhile).
// So a visitor's first page carries no admin charts, payment, chat, Firestore or Firebase Auth code
// (web/test/bundle-budget.test.ts holds it to its budget).
// antd's App (the message holder) around every page but search (components/Feedback.tsx)
const Feedback = lazy(() => import('./components/Feedback.tsx'))
const NotFound = lazy(() => import('./pages/not-found.tsx'))
const AdminPage = lazy(() => import('./pages/admin/show.tsx'))
// The account's email actions (forgot password, the link in Firebase's emails): few visits, own chunks.
const ForgotPassword = lazy(() => import('./pages/auth/forgot.tsx'))
const EmailAction = lazy(() => import('./pages/auth/action.tsx'))
const ApplyPage = lazy(() => import('./pages/apply/edit.tsx'))
const ChatPage = lazy(() => import('./pages/chat/list.tsx'))
const Login = lazy(() => import('./pages/auth/login.tsx'))
const Signup = lazy(() => import('./pages/auth/signup.tsx'))
const MyPage = lazy(() => import('./pages/me/show.tsx'))
const MentorShow = lazy(() => import('./pages/mentors/show.tsx'))
const NotificationsPage = lazy(() => import('./pages/notifications/list.tsx'))
const PayPage = lazy(() => import('./pages/payments/pay.tsx'))
const PaymentPage = lazy(() => import('./pages/payments/show.tsx'))
const UnsubscribePage = lazy(() => import('./pages/unsubscribe/show.tsx'))

// WCAG AA contrast (4.5:1 for text; axe-core checks every page the journeys visit): antd's default link
// blue (#1677ff, 4.1:1 on white), its lighter hover blues (#4481e3: 3.8:1 under white text) and its
// secondary and placeholder greys (45 % and 25 % black) fall below it. These reach 4.5:1 or better on the
// white and light grey backgrounds the app uses.
/** the preset Tag colours whose text shade is darkened (THEME below) */
const PRESET_TEXT = { cyan: '#006d75', green: '#237804', orange: '#ad4e00', volcano: '#ad2102', yellow: '#876800', gold: '#874d00', lime: '#3f6600' }

const THEME = {
  token: {
    colorPrimary: '#1d5fd6',
    colorPrimaryHover: '#174db0',
    colorPrimaryActive: '#123d8c',
    // status colours as text (tags, form errors, results) on white and on their light backgrounds
    colorInfo: '#1d5fd6',
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    colorError: '#cf1322',
    // antd derives the light backgrounds from the colours above (too dark for them): its defaults
    colorInfoBg: '#e6f4ff',
    colorSuccessBg: '#f6ffed',
    colorWarningBg: '#fff7e6',
    colorErrorBg: '#fff2f0',
    colorLink: '#1d5fd6',
    colorLinkHover: '#174db0',
    colorLinkActive: '#123d8c',
    // a link inside text must not rely on colour alone (WCAG 1.4.1)
    linkDecoration: 'underline',
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.58)',
    // a preset-coloured Tag (color="green" …) writes its text in the palette's 7th shade on its 1st: for
    // these presets that is 2.0–4.4:1 (axe-core found green on the admin's users tab); the darker shade of the
    // same palette that reaches 4.5:1 (5.1–6.6:1, on white too). Both spellings: antd keeps the legacy
    // 'green-7' beside green7, and both become the one CSS variable --ant-green-7
    ...Object.fromEntries(Object.entries(PRESET_TEXT).flatMap(([k, v]) => [[`${k}7`, v], [`${k}-7`, v]])),
  },
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // A 4xx will not change by asking again; network and 5xx errors get two more tries.
      retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
    },
  },
})

function Shell() {
  const { lang } = useI18n()
  return (
    <ConfigProvider locale={lang === 'ko' ? koKR : enUS} theme={THEME}>
      <ErrorBoundary lang={lang}>
        <QueryClientProvider client={queryClient}>
          <AuthProvider>
            <BrowserRouter>
              <Routes>
                <Route element={<AppLayout />}>
                  <Route index element={<SearchPage />} />
                  <Route element={<Feedback />}>
                    <Route path="mentors/:id" element={<MentorShow />} />
                    <Route path="login" element={<Login />} />
                    <Route path="signup" element={<Signup />} />
                    <Route path="forgot-password" element={<ForgotPassword />} />
                    {/* Firebase's email actions (password reset, email verification): the project's action URL */}
                    <Route path="auth/action" element={<EmailAction />} />
                    <Route path="me" element={<RequireAccess area="me"><MyPage /></RequireAccess>} />
                    <Route path="apply" element={<RequireAccess area="apply"><ApplyPage /></RequireAccess>} />
                    <Route path="chat" element={<RequireAccess area="chat"><ChatPage /></RequireAccess>} />
                    {/* payments: the pay page of a held booking, and one payment (its result) */}
                    <Route path="payments/booking/:bookingId" element={<RequireAccess area="me"><PayPage /></RequireAccess>} />
                    <Route path="payments/:paymentId" element={<RequireAccess area="me"><PaymentPage /></RequireAccess>} />
                    <Route path="notifications" element={<RequireAccess area="me"><NotificationsPage /></RequireAccess>} />
                    {/* the link in notification's emails: public, the signed token is the authority */}
                    <Route path="unsubscribe" element={<UnsubscribePage />} />
                    <Route path="admin" element={<RequireAccess area="admin"><AdminPage /></RequireAccess>} />
                    <Route path="*" element={<NotFound />} />
                  </Route>
                </Route>
              </Routes>
            </BrowserRouter>
          </AuthProvider>
        </QueryClientProvider>
      </ErrorBoundary>
    </ConfigProvider>
  )
}

export default function App() {
  return (
    <I18nProvider>
      <Shell />
    </I18nProvider>
  )
}
