import { App as AntApp, ConfigProvider } from 'antd'
import enUS from 'antd/locale/en_US'
import koKR from 'antd/locale/ko_KR'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { lazy, Suspense } from 'react'
import { BrowserRouter, Route, Routes } from 'react-router'
import { AuthProvider } from './auth/AuthProvider.tsx'
import { AppLayout } from './components/AppLayout.tsx'
import { ErrorBoundary } from './components/ErrorBoundary.tsx'
import { RequireAccess } from './components/RequireAccess.tsx'
import { Loading } from './components/States.tsx'
import { I18nProvider, useI18n } from './i18n/index.tsx'
import { ApiError } from './lib/errors.ts'
import ApplyPage from './pages/apply/edit.tsx'
import ChatPage from './pages/chat/list.tsx'
import Login from './pages/auth/login.tsx'
import Signup from './pages/auth/signup.tsx'
import MyPage from './pages/me/show.tsx'
import MentorShow from './pages/mentors/show.tsx'
import NotFound from './pages/not-found.tsx'
import NotificationsPage from './pages/notifications/list.tsx'
import PayPage from './pages/payments/pay.tsx'
import PaymentPage from './pages/payments/show.tsx'
import SearchPage from './pages/search/list.tsx'
import UnsubscribePage from './pages/unsubscribe/show.tsx'

// The admin area brings the chart library; mentees never download it.
const AdminPage = lazy(() => import('./pages/admin/show.tsx'))
// The account's email actions (forgot password, the link in Firebase's emails): few visits, own chunks.
const ForgotPassword = lazy(() => import('./pages/auth/forgot.tsx'))
const EmailAction = lazy(() => import('./pages/auth/action.tsx'))

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
    <ConfigProvider locale={lang === 'ko' ? koKR : enUS} theme={{ token: { colorPrimary: '#1d5fd6' } }}>
      <AntApp>
        <ErrorBoundary lang={lang}>
          <QueryClientProvider client={queryClient}>
            <AuthProvider>
              <BrowserRouter>
                <Routes>
                  <Route element={<AppLayout />}>
                    <Route index element={<SearchPage />} />
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
                    <Route path="admin" element={<RequireAccess area="admin"><Suspense fallback={<Loading />}><AdminPage /></Suspense></RequireAccess>} />
                    <Route path="*" element={<NotFound />} />
                  </Route>
                </Routes>
              </BrowserRouter>
            </AuthProvider>
          </QueryClientProvider>
        </ErrorBoundary>
      </AntApp>
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
