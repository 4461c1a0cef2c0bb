import t from 'tap'
import { formatTime, msUntilQuietEnds, validTimeZone } from '../src/messages/format.ts'

t.test('quiet hours: inside or not, in the zone given, across midnight', async (t) => {
  const at = new Date('2026-12-09T14:30:00Z') // 23:30 in Seoul, 09:30 in New York
  t.equal(msUntilQuietEnds(at, 'Asia/Seoul', '22:00', '08:00'), 8.5 * 3_600_000, 'Seoul 23:30 in 22–08: 8.5 h left')
  t.equal(msUntilQuietEnds(at, 'America/New_York', '22:00', '08:00'), 0, 'New York 09:30 is outside')
  t.equal(msUntilQuietEnds(at, 'America/New_York', '09:00', '10:00'), 30 * 60_000, 'a daytime window')
  t.equal(msUntilQuietEnds(at, 'Asia/Seoul', '23:30', '23:30'), 0, 'an empty window is none')
  t.equal(msUntilQuietEnds(new Date('2026-12-09T22:00:00Z'), 'Asia/Seoul', '22:00', '08:00'), 60 * 60_000, '07:00 the next morning, still inside')
  t.equal(msUntilQuietEnds(new Date('2026-12-09T23:00:00Z'), 'Asia/Seoul', '22:00', '08:00'), 0, '08:00 sharp is outside')
})

t.test('times read in the recipient’s zone and language; unknown zones fall back to Seoul', async (t) => {
  t.match(formatTime('2026-12-09T15:00:00Z', 'ko', 'Asia/Seoul'), /^2026년 12월 10일 \(?목\)? 오전 12:00 \(Asia\/Seoul\)$/)
  t.match(formatTime('2026-12-09T15:00:00Z', 'en', 'Europe/London'), /^Wed, December 9, 2026 at 3:00\sPM \(Europe\/London\)$/)
  t.equal(validTimeZone('Mars/Olympus'), 'Asia/Seoul')
  t.equal(validTimeZone(null), 'Asia/Seoul')
  t.equal(validTimeZone('America/New_York'), 'America/New_York')
})
