export const DEFAULT_MAX_SQL_LENGTH = 2000

const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c)
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'

/**
 * SQL as it may leave the process in a slow-query report: every literal becomes `?`, comments go
 * (they can hold anything), whitespace collapses, and long statements are cut.
 *
 * Kysely already sends values as `$n` parameters, but `sql.lit`, `sql.raw` and hand-written SQL can
 * inline them, and a report must never carry a user's data. A small scanner rather than regexes,
 * because a quote inside a comment or a `--` inside a string would fool a regex.
 */
export function normalizeSql(text: string, maxLength = DEFAULT_MAX_SQL_LENGTH): string {
  let out = ''
  let i = 0
  const n = text.length
  const space = () => {
    if (out.length > 0 && !out.endsWith(' ')) out += ' '
  }
  while (i < n) {
    const c = text[i]!
    const next = text[i + 1]
    if (/\s/.test(c)) {
      space()
      i++
    } else if (c === '-' && next === '-') {
      while (i < n && text[i] !== '\n') i++
      space()
    } else if (c === '/' && next === '*') {
      // Postgres block comments nest.
      let depth = 0
      while (i < n) {
        if (text[i] === '/' && text[i + 1] === '*') { depth++; i += 2 }
        else if (text[i] === '*' && text[i + 1] === '/') { depth--; i += 2; if (depth === 0) break }
        else i++
      }
      space()
    } else if (c === "'") {
      // E'..' strings allow backslash escapes; the E (or B/X/U&/N prefix) is dropped with the literal.
      const prefix = /(?:^|[^A-Za-z0-9_$])(E|B|X|N|U&)$/i.exec(out)
      const backslashes = prefix?.[1]?.toUpperCase() === 'E'
      if (prefix) out = out.slice(0, out.length - prefix[1]!.length)
      i++
      while (i < n) {
        if (backslashes && text[i] === '\\') i += 2
        else if (text[i] === "'" && text[i + 1] === "'") i += 2
        else if (text[i] === "'") { i++; break }
        else i++
      }
      out += '?'
    } else if (c === '"') {
      // Quoted identifiers are names, not data: keep them.
      let j = i + 1
      while (j < n) {
        if (text[j] === '"' && text[j + 1] === '"') j += 2
        else if (text[j] === '"') { j++; break }
        else j++
      }
      out += text.slice(i, j)
      i = j
    } else if (c === '$' && isDigit(next)) {
      // A bind placeholder ($1): already value-free.
      let j = i + 1
      while (isDigit(text[j])) j++
      out += text.slice(i, j)
      i = j
    } else if (c === '$' && !isWordChar(out[out.length - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i))
      if (!tag) { out += c; i++; continue }
      const end = text.indexOf(tag[0], i + tag[0].length)
      i = end === -1 ? n : end + tag[0].length
      out += '?'
    } else if ((isDigit(c) || (c === '.' && isDigit(next))) && !isWordChar(out[out.length - 1])) {
      const num = /^(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(text.slice(i))
      i += num ? num[0].length : 1
      out += '?'
    } else if (isWordChar(c)) {
      let j = i
      while (isWordChar(text[j])) j++
      out += text.slice(i, j)
      i = j
    } else {
      out += c
      i++
    }
  }
  // `in ($1, $2, ... $n)` varies with list length; one shape per statement groups reports.
  out = out.trim().replace(/\(\s*(\$\d+|\?)(?:\s*,\s*(?:\$\d+|\?))+\s*\)/g, '($1, ...)')
  if (out.length > maxLength) out = `${out.slice(0, Math.max(0, maxLength - 1))}…`
  return out
}
