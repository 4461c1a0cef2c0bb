// antd's Rate, read-only, as plain markup (show.css .sb-rate): five grey stars with the gold ones laid
// over them, cut at the rating to the half star (as antd's Rate allowHalf drew it).
export function Stars({ rating, size = 20, label }: { rating: number; size?: number; label?: string }) {
  const width = `${(Math.round(rating * 2) / 2 / 5) * 100}%`
  // with a label it is the rating's only statement (an image named by it); without, the number beside it says it
  const a11y = label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': true }
  return <span className="sb-rate" style={{ fontSize: size, letterSpacing: size * 0.4 }} {...a11y}>★★★★★<span style={{ width }}>★★★★★</span></span>
}
