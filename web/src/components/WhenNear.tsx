// Renders its children once its place comes near the screen (within `margin` of it), with a loading
// state until then: for parts below the first screen that bring a chunk of their own and its start-up
// (the mentor page's booking, reviews and review form: antd), so a phone loads and runs them when the
// visitor scrolls towards them instead of while the first screen is still being drawn. On a wide
// screen such a part is often on the first screen already, and is rendered at once.
import { useEffect, useRef, useState, type ReactNode } from 'react'
import { Loading } from './States.tsx'

export function WhenNear({ children, margin = '200px' }: { children: ReactNode; margin?: string }) {
  const ref = useRef<HTMLDivElement>(null)
  const [near, setNear] = useState(false)
  useEffect(() => {
    const el = ref.current
    if (near || !el) return
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setNear(true)
    }, { rootMargin: margin })
    io.observe(el)
    return () => io.disconnect()
  }, [near, margin])
  return near ? <>{children}</> : <div ref={ref}><Loading /></div>
}
