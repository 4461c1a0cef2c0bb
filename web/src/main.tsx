import { startTransition, StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import App from './App.tsx'

// The first render as a transition: React draws the app in slices of a few milliseconds and lets the
// browser in between, instead of one task as long as the whole tree takes (on a phone's CPU that task
// alone was most of the landing page's Total Blocking Time, issue 24). Nothing is on screen before it
// anyway, so nothing waits longer.
const root = createRoot(document.getElementById('root')!)
startTransition(() => {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
})
