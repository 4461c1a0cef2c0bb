import t from 'tap'
import { groupDigits } from '../src/lib/format.ts'
import { en } from '../src/i18n/en/index.ts'
import { ko } from '../src/i18n/ko/index.ts'

t.test('groupDigits writes an integer as Intl does in Korean and English', async (t) => {
  const values = [0, 1, 12, 999, 1000, 1001, 9999, 10_000, 123_456, 999_999, 1_000_000, 12_345_678, 2_000_000_000, Number.MAX_SAFE_INTEGER]
  // (not -0: Intl writes "-0", groupDigits "0"; no count or amount is -0)
  for (const n of [...values, ...values.filter((v) => v > 0).map((v) => -v)]) {
    t.equal(groupDigits(n), n.toLocaleString('ko-KR'), `${n} (ko-KR)`)
    t.equal(groupDigits(n), n.toLocaleString('en-US'), `${n} (en-US)`)
  }
  // what is not an integer still comes out as Intl writes it
  t.equal(groupDigits(1234.5), (1234.5).toLocaleString('en-US'))
})

t.test("the search page's numbers", async (t) => {
  t.equal(ko.resultCount(12_345), '멘토 12,345명')
  t.equal(ko.perHour(150_000), '시간당 150,000원')
  t.equal(en.resultCount(1), '1 mentor')
  t.equal(en.resultCount(2_000), '2,000 mentors')
  t.equal(en.perHour(45_000), '₩45,000 / hour')
})
