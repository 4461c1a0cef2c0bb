import { splitHighlight } from '../lib/highlight.ts'

/** Text with the server's match ranges in <mark>; rendered as text nodes, never as HTML. */
export function Highlighted({ text, ranges }: { text: string; ranges: readonly { start: number; end: number }[] }) {
  return (
    <>
      {splitHighlight(text, ranges).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  )
}
