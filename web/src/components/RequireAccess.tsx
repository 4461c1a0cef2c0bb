import type { ReactNode } from 'react'
import { Navigate, useLocation } from 'react-router'
import { useAuth } from '../auth/AuthProvider.tsx'
import { redirectFor, type Area } from '../lib/access.ts'
import { Loading } from './States.tsx'

/** Renders the page only when access.ts lets the viewer see its area; otherwise redirects. */
export function RequireAccess({ area, children }: { area: Area; children: ReactNode }) {
  const { ready, viewer } = useAuth()
  const loc = useLocation()
  if (!ready) return <Loading />
  const to = redirectFor(viewer, area, `${loc.pathname}${loc.search}`)
  return to ? <Navigate to={to} replace /> : <>{children}</>
}
