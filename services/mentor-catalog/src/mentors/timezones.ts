import { AppError } from '@sunbae/service-kit'

// Intl lists canonical zones only; UTC is what many clients send for "no zone".
const ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])

/** 400 with a field detail unless `tz` is an IANA time zone this runtime knows. */
export function assertTimezone(tz: string | undefined, field = 'body/timezone'): void {
  if (tz === undefined || ZONES.has(tz)) return
  throw new AppError(400, 'VALIDATION_FAILED', 'The request is invalid', {
    details: [{ field, message: 'must be an IANA time zone, e.g. Asia/Seoul' }],
  })
}
