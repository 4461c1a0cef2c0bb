// A media query as React state (useSyncExternalStore over matchMedia): the shell's phone/desktop switch
// without antd's Grid, so the first page does not carry the grid code for one boolean.
import { useSyncExternalStore } from 'react'

/** antd's `md` breakpoint: from here on the header shows the menu, below it a drawer does. */
export const DESKTOP_QUERY = '(min-width: 768px)'

export function useMediaQuery(query: string, serverValue = true): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const mql = window.matchMedia(query)
      mql.addEventListener('change', onChange)
      return () => mql.removeEventListener('change', onChange)
    },
    () => window.matchMedia(query).matches,
    () => serverValue,
  )
}
