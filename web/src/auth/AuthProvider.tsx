// The signed-in user and their role (a custom claim on the ID token). The role is read from the
// token itself, so it changes as soon as a refreshed token carries a new claim.
//
// Firebase Auth is loaded only when there is a session to restore (firebase-loader.ts's hint) or a page
// loads it (sign-in, sign-up): a visitor who never signed in is `ready` at once, signed out, and their
// search downloads no Firebase. Whenever the SDK arrives, this provider subscribes to it.
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import type { User } from 'firebase/auth'
import { useQueryClient } from '@tanstack/react-query'
import type { Role } from '@sunbae/contracts'
import { firebaseLoaded, hasSessionHint, loadFirebase, setSessionHint } from './firebase-loader.ts'
import { putMe } from '../services/catalog.ts'
import type { Viewer } from '../lib/access.ts'

interface AuthState {
  ready: boolean
  user: User | null
  role: Role | null
  viewer: Viewer
  logout: () => Promise<void>
  /** Forces a new ID token, e.g. after an application was approved. */
  refresh: () => Promise<void>
}

const Ctx = createContext<AuthState | null>(null)
const ROLES: readonly Role[] = ['mentee', 'mentor', 'admin']

export function AuthProvider({ children }: { children: ReactNode }) {
  // with no session to restore, the visitor is known to be signed out without asking Firebase
  const [state, setState] = useState<{ ready: boolean; user: User | null; role: Role | null }>(() => ({ ready: !hasSessionHint(), user: null, role: null }))
  const synced = useRef<string | null>(null)
  const qc = useQueryClient()

  useEffect(() => {
    let stop: (() => void) | null = null
    let closed = false
    if (hasSessionHint()) {
      // the SDK could not be downloaded: signed out for now (the API still answers public pages)
      loadFirebase().catch(() => setState({ ready: true, user: null, role: null }))
    }
    void firebaseLoaded.then(({ auth, onIdTokenChanged }) => {
      if (closed) return
      stop = onIdTokenChanged(auth, async (user) => {
        setSessionHint(Boolean(user))
        if (!user) {
          synced.current = null
          setState({ ready: true, user: null, role: null })
          qc.clear()
          return
        }
        const token = await user.getIdTokenResult()
        const claim = token.claims.role
        const role = ROLES.includes(claim as Role) ? (claim as Role) : 'mentee'
        setState((prev) => {
          if (prev.role !== role && prev.user) void qc.invalidateQueries()
          return { ready: true, user, role }
        })
        // Mirror the account once per sign-in (PUT /api/me): the catalog learns the name and email.
        if (synced.current !== user.uid) {
          synced.current = user.uid
          putMe(user.displayName ? { displayName: user.displayName } : {}).catch(() => {
            synced.current = null
          })
        }
      })
    })
    return () => {
      closed = true
      stop?.()
    }
  }, [qc])

  const value = useMemo<AuthState>(
    () => ({
      ...state,
      viewer: state.role ? { role: state.role } : null,
      logout: async () => {
        const { auth, signOut } = await loadFirebase()
        await signOut(auth)
      },
      refresh: async () => {
        const { auth } = await loadFirebase()
        await auth.currentUser?.getIdToken(true)
      },
    }),
    [state],
  )
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useAuth(): AuthState {
  const v = useContext(Ctx)
  if (!v) throw new Error('useAuth outside AuthProvider')
  return v
}
