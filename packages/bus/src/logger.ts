/** The subset of pino the bus logs through, so services can pass their own logger (or a child). */
export interface BusLogger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

const write = (level: string) => (obj: object, msg?: string) => {
  const err = (obj as { err?: unknown }).err
  console.error(JSON.stringify({ level, name: '@sunbae/bus', msg, ...obj, ...(err instanceof Error ? { err: { message: err.message, name: err.name } } : {}) }))
}

/** Without a logger only problems are printed: a silent bus would hide lost messages. */
export const defaultLogger: BusLogger = {
  debug: () => {},
  info: () => {},
  warn: write('warn'),
  error: write('error'),
}
