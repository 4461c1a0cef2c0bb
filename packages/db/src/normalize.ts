export const DEFAULT_MAX_SQL_LENGTH = 2000

const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c)
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'

/**
 * The scanner's output, built in parts: its length, last character and the prefix check read a
 * short tail kept beside them. Asking a string built with `+=` for its end (`endsWith`, `out[k]`, a
 * regex anchored at `$`) flattens it each time: quadratic, 2.1 s for a 5,000-row INSERT's text,
 * which ran synchronously on the event loop of whoever issued that (slow) query.
 */
class Output {
  readonly #parts: string[] = []
  #length = 0
  /** the last ≤ 3 characters: enough for a literal's prefix (U&) and the character before it */
  #tail = ''

  get length(): number {
    return this.#length
  }

  get last(): string | undefined {
    return this.#tail ? this.#tail[this.#tail.length - 1] : undefined
  }

  push(s: string): void {
    if (!s) return
    this.#parts.push(s)
    this.#length += s.length
    this.#tail = (this.#tail + s).slice(-3)
  }

  /** A string literal's prefix (E, B, X, N, U&) just written, standing as a word of its own: removed, and returned. */
  takeLiteralPrefix(): string | undefined {
    const whole = this.#length === this.#tail.length
    const m = (whole ? /(?:^|[^A-Za-z0-9_$])(E|B|X|N|U&)$/i : /[^A-Za-z0-9_$](E|B|X|N|U&)$/i).exec(this.#tail)
    if (!m) return undefined
    this.#drop(m[1]!.length)
    return m[1]
  }

  #drop(count: number): void {
    this.#length -= count
    for (let left = count; left > 0;) {
      const part = this.#parts.pop()!
      if (part.length > left) {
        this.#parts.push(part.slice(0, part.length - left))
        left = 0
      } else {
        left -= part.length
      }
    }
    let tail = ''
    for (let k = this.#parts.length - 1; k >= 0 && tail.length < 3; k--) tail = this.#parts[k] + tail
    this.#tail = tail.slice(-3)
  }

  toString(): string {
    return this.#parts.join('')
  }
}

/**
 * SQL as it may leave the process in a slow-query report: every literal becomes `?`, comments go
 * (they can hold anything), whitespace collapses, and long statements are cut.
 *
 * Kysely already sends values as `$n` parameters, but `sql.lit`, `sql.raw` and hand-written SQL can
 * inline them, and a report must never carry a user's data. A small scanner rather than regexes,
 * because a quote inside a comment or a `--` inside a string would fool a regex.
 */
export function normalizeSql(text: string, maxLength = DEFAULT_MAX_SQL_LENGTH): string {
  const out = new Output()
  let i = 0
  const n = text.length
  const space = () => {
    if (out.length > 0 && out.last !== ' ') out.push(' ')
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
      const backslashes = out.takeLiteralPrefix()?.toUpperCase() === 'E'
      i++
      while (i < n) {
        if (backslashes && text[i] === '\\') i += 2
        else if (text[i] === "'" && text[i + 1] === "'") i += 2
        else if (text[i] === "'") { i++; break }
        else i++
      }
      out.push('?')
    } else if (c === '"') {
      // Quoted identifiers are names, not data: keep them.
      let j = i + 1
      while (j < n) {
        if (text[j] === '"' && text[j + 1] === '"') j += 2
        else if (text[j] === '"') { j++; break }
        else j++
      }
      out.push(text.slice(i, j))
      i = j
    } else if (c === '$' && isDigit(next)) {
      // A bind placeholder ($1): already value-free.
      let j = i + 1
      while (isDigit(text[j])) j++
      out.push(text.slice(i, j))
      i = j
    } else if (c === '$' && !isWordChar(out.last)) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i))
      if (!tag) { out.push(c); i++; continue }
      const end = text.indexOf(tag[0], i + tag[0].length)
      i = end === -1 ? n : end + tag[0].length
      out.push('?')
    } else if ((isDigit(c) || (c === '.' && isDigit(next))) && !isWordChar(out.last)) {
      const num = /^(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(text.slice(i))
      i += num ? num[0].length : 1
      out.push('?')
    } else if (isWordChar(c)) {
      let j = i
      while (isWordChar(text[j])) j++
      out.push(text.slice(i, j))
      i = j
    } else {
      out.push(c)
      i++
    }
  }
  // `in ($1, $2, ... $n)` varies with list length; one shape per statement groups reports.
  let sql = out.toString().trim().replace(/\(\s*(\$\d+|\?)(?:\s*,\s*(?:\$\d+|\?))+\s*\)/g, '($1, ...)')
  if (sql.length > maxLength) sql = `${sql.slice(0, Math.max(0, maxLength - 1))}…`
  return sql
}
