import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { lazy } from 'react'
import { BrowserRouter, Route, Routes } from 'react-router'
import { AuthProvider } from './auth/AuthProvider.tsx'
import { AppLayout } from './components/AppLayout.tsx'
import { ErrorBoundary } from './components/ErrorBoundary.tsx'
import { RequireAccess } from './components/RequireAccess.tsx'
import { I18nProvider } from './i18n/index.tsx'
import { ApiError } from './lib/errors.ts'
import MentorShow from './pages/mentors/show.tsx'
import SearchPage from './pages/search/list.tsx'

// Route splitting: the landing page (search) and a mentor's first screen are in the entry chunk; every
// other page is a chunk of its own, downloaded when it is first opened (AppLayout's Suspense shows the
// loading state meanwhile).
// So a visitor's first page carries no admin charts, payment, chat, Firestore or Firebase Auth code
// (web/test/bundle-budget.test.ts holds it to its budget).
// antd's theme and App (the message holder) around every page but search and a mentor's (components/Feedback.tsx)
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
const NotificationsPage = lazy(() => import('./pages/notifications/list.tsx'))
const PayPage = lazy(() => import('./pages/payments/pay.tsx'))
const PaymentPage = lazy(() => import('./pages/payments/show.tsx'))
// where the Toss Payments window returns the payer (success: our confirm; fail: why)
const TossReturn = lazy(() => import('./pages/payments/toss-return.tsx'))
// the 1:1 video room of a session (WebRTC, Firestore signalling): its own chunk
const RoomPage = lazy(() => import('./pages/sessions/room.tsx'))
const UnsubscribePage = lazy(() => import('./pages/unsubscribe/show.tsx'))

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
  return (
    <ErrorBoundary>
      <QueryClientProvider client={queryClient}>
        <AuthProvider>
          <BrowserRouter>
            <Routes>
              <Route element={<AppLayout />}>
                <Route index element={<SearchPage />} />
                {/* a mentor's page draws its first screen without antd (pages/mentors/show.tsx) */}
                <Route path="mentors/:id" element={<MentorShow />} />
                <Route element={<Feedback />}>
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
                  <Route path="payments/toss/success" element={<RequireAccess area="me"><TossReturn outcome="success" /></RequireAccess>} />
                  <Route path="payments/toss/fail" element={<RequireAccess area="me"><TossReturn outcome="fail" /></RequireAccess>} />
                  <Route path="payments/:paymentId" element={<RequireAccess area="me"><PaymentPage /></RequireAccess>} />
                  <Route path="sessions/:bookingId/room" element={<RequireAccess area="me"><RoomPage /></RequireAccess>} />
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
  )
}

export default function App() {
  return (
    <I18nProvider>
      <Shell />
    </I18nProvider>
  )
}
