import { setTimeout as sleep } from 'node:timers/promises'

/** Polls `condition` until it returns a truthy value (which is returned) or the time is up. */
export async function waitFor<T>(condition: () => T | Promise<T>, timeoutMs = 5_000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await condition()
      if (value) return value as NonNullable<T>
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitFor: condition not met within ${timeoutMs} ms`, { cause: lastError })
    }
    await sleep(intervalMs)
  }
}
