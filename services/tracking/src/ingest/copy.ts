/**
 * COPY's text format (https://www.postgresql.org/docs/15/sql-copy.html, "Text Format"): one row per
 * line, columns separated by tabs, `\N` for NULL, and backslash, tab, newline and carriage return
 * escaped with a backslash. Everything else — UTF-8 text, ISO times, JSON, numbers — is sent as is
 * and parsed by the column's type, exactly as a parameter would be.
 */

const SPECIAL = /[\\\t\n\r]/
const SPECIALS = /[\\\t\n\r]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

function text(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIALS, (c) => ESCAPES[c]!) : s
}

/** A `text[]` value as an array literal: every element double-quoted, `"` and `\` escaped inside. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`
}

/** One column value in COPY text format. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N'
  if (typeof v === 'string') return text(v)
  if (typeof v === 'number') {
    // Postgres spells the non-finite floats the way String() does not
    if (Number.isFinite(v)) return String(v)
    return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'
  }
  if (typeof v === 'boolean') return v ? 't' : 'f'
  if (Array.isArray(v)) return text(arrayLiteral(v.map(String)))
  if (v instanceof Date) return v.toISOString()
  throw new TypeError(`no COPY text form for a ${typeof v}`)
}

/** The rows as COPY text, the columns in the given order (one string: cheaper than joining parts). */
export function copyText(columns: readonly string[], rows: readonly object[]): string {
  let out = ''
  for (const row of rows) {
    const r = row as Record<string, unknown>
    out += copyValue(r[columns[0]!])
    for (let c = 1; c < columns.length; c++) out += `\t${copyValue(r[columns[c]!])}`
    out += '\n'
  }
  return out
}
