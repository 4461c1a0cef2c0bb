// Splits a search snippet into plain and marked parts by the server's ranges. The server sends
// offsets, never markup, so rendering these parts as text can never inject HTML.
export interface Part {
  text: string
  mark: boolean
}

export function splitHighlight(snippet: string, ranges: readonly { start: number; end: number }[]): Part[] {
  const parts: Part[] = []
  let at = 0
  const sorted = [...ranges].sort((a, b) => a.start - b.start)
  for (const r of sorted) {
    const start = Math.max(at, Math.min(r.start, snippet.length))
    const end = Math.min(Math.max(r.end, start), snippet.length)
    if (end <= start) continue
    if (start > at) parts.push({ text: snippet.slice(at, start), mark: false })
    parts.push({ text: snippet.slice(start, end), mark: true })
    at = end
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), mark: false })
  return parts
}
