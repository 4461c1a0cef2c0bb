import { parseArgs } from 'node:util'

/** A numeric option: its default and the range a run accepts. */
export type NumberOption = readonly [defaultValue: number, min: number, max: number]

type Options<N, S, F extends string> = { [K in keyof N]: number } & { [K in keyof S]: string } & { [K in F]: boolean } & {
  /** false with --no-write: print the results, leave RESULTS.md as it is */
  write: boolean
}

/**
 * The command line of a benchmark: numbers in a stated range (`--rate 200`), strings from a fixed set
 * (`--via admin`), boolean flags, and `--no-write` for every benchmark. A value that is not a number or
 * outside its range, or an unknown option, stops the run with exit code 2 and the usage, before
 * anything is started.
 */
export function benchOptions<N extends Record<string, NumberOption>, S extends Record<string, readonly [string, ...string[]]> = Record<never, never>, F extends string = never>(spec: {
  numbers: N
  /** the first choice is the default */
  choices?: S
  flags?: readonly F[]
  /** further free-text options (optional, undefined when absent) */
  text?: readonly string[]
}): Options<N, S, F> & { text: Record<string, string | undefined> } {
  const numbers = Object.entries(spec.numbers)
  const choices = Object.entries(spec.choices ?? {}) as [string, readonly string[]][]
  const usage = [
    ...numbers.map(([k, [d, min, max]]) => `--${k} ${min}..${max} (default ${d})`),
    ...choices.map(([k, c]) => `--${k} ${c.join('|')}`),
    ...(spec.flags ?? []).map((f) => `--${f}`),
    ...(spec.text ?? []).map((k) => `--${k} <text>`),
    '--no-write',
  ].join('\n  ')
  const fail = (why: string): never => {
    process.stderr.write(`${why}\nusage:\n  ${usage}\n`)
    process.exit(2)
  }
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      options: {
        ...Object.fromEntries(numbers.map(([k, [d]]) => [k, { type: 'string' as const, default: String(d) }])),
        ...Object.fromEntries(choices.map(([k, c]) => [k, { type: 'string' as const, default: c[0] }])),
        ...Object.fromEntries((spec.flags ?? []).map((f) => [f, { type: 'boolean' as const, default: false }])),
        ...Object.fromEntries((spec.text ?? []).map((k) => [k, { type: 'string' as const }])),
        'no-write': { type: 'boolean', default: false },
      },
    }).values
  } catch (err) {
    return fail((err as Error).message)
  }
  const out: Record<string, unknown> = { write: !values['no-write'], text: {} }
  for (const [k, [, min, max]] of numbers) {
    const n = Number(values[k])
    if (!Number.isFinite(n) || n < min || n > max) fail(`--${k} ${String(values[k])}: a number from ${min} to ${max}`)
    out[k] = n
  }
  for (const [k, c] of choices) {
    if (!c.includes(values[k] as string)) fail(`--${k} ${String(values[k])}: one of ${c.join(', ')}`)
    out[k] = values[k]
  }
  for (const f of spec.flags ?? []) out[f] = values[f] === true
  for (const k of spec.text ?? []) (out.text as Record<string, string | undefined>)[k] = values[k] as string | undefined
  return out as Options<N, S, F> & { text: Record<string, string | undefined> }
}
