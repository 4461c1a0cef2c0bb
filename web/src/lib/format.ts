// Numbers in the first page's words (result count, hourly rate), formatted without Intl.
//
// The first use of Intl in a page (`n.toLocaleString('ko-KR')`, `new Intl.NumberFormat(…)`) loads ICU's
// locale data: 56–112 ms of main thread in Chromium here, before any 4× phone slowdown, in the task that
// draws the search results — most of the landing page's Total Blocking Time (issue 24). Korean and
// English group an integer's digits the same way (1,234,567), so the search page does not need Intl.

/** An integer with its digits grouped by three (as `toLocaleString('ko-KR')` and `('en-US')` write it). */
export function groupDigits(n: number): string {
  // anything else (fractions, exponents) as Intl writes it: not on the first page
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US')
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',')
}
