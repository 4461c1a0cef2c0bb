import t from 'tap'
import { en } from '../src/i18n/en/index.ts'
import { ko } from '../src/i18n/ko/index.ts'
import type { Dict } from '../src/i18n/dict.ts'
import { adminKo } from '../src/i18n/ko/admin.ts'
import { adminEn } from '../src/i18n/en/admin.ts'
import { adminOpsKo } from '../src/i18n/ko/admin-ops.ts'
import { adminOpsEn } from '../src/i18n/en/admin-ops.ts'
import { meetingKo } from '../src/i18n/ko/meeting.ts'
import { meetingEn } from '../src/i18n/en/meeting.ts'
import { notificationKo } from '../src/i18n/ko/notification.ts'
import { notificationEn } from '../src/i18n/en/notification.ts'
import { paymentKo } from '../src/i18n/ko/payment.ts'
import { paymentEn } from '../src/i18n/en/payment.ts'
import { accountKo } from '../src/i18n/ko/account.ts'
import { accountEn } from '../src/i18n/en/account.ts'
import { profileKo } from '../src/i18n/ko/profile.ts'
import { profileEn } from '../src/i18n/en/profile.ts'
import { matchingKo } from '../src/i18n/ko/matching.ts'
import { matchingEn } from '../src/i18n/en/matching.ts'

// ko/index.ts and en/index.ts spread these parts into their language's dictionary, then add their own
// keys: a key that two parts define (or that the index defines again) silently takes the last one's
// words, and TypeScript cannot tell. The action page once said the verified-address gate's "try again" because both
// account.ts and matching.ts had a verifyDone.
const parts: Record<'ko' | 'en', Record<string, Record<string, unknown>>> = {
  ko: { admin: adminKo, adminOps: adminOpsKo, meeting: meetingKo, notification: notificationKo, payment: paymentKo, account: accountKo, profile: profileKo, matching: matchingKo },
  en: { admin: adminEn, adminOps: adminOpsEn, meeting: meetingEn, notification: notificationEn, payment: paymentEn, account: accountEn, profile: profileEn, matching: matchingEn },
}

for (const lang of ['ko', 'en'] as const) {
  t.test(`${lang}: every key of the dictionary comes from one place`, async (t) => {
    const owners = new Map<string, string[]>()
    for (const [name, part] of Object.entries(parts[lang])) {
      for (const key of Object.keys(part)) owners.set(key, [...(owners.get(key) ?? []), name])
    }
    const shared = [...owners].filter(([, names]) => names.length > 1).map(([key, names]) => `${key} (${names.join(', ')})`)
    t.same(shared, [], 'no key in two parts')
    const dict = { ko, en }[lang] as unknown as Record<string, unknown>
    const overridden = [...owners].filter(([key, [name]]) => dict[key] !== parts[lang][name!]![key]).map(([key]) => key)
    t.same(overridden, [], "no part's key is replaced by the index's own")
  })
}

t.test('English has exactly the Korean keys', async (t) => {
  t.same(Object.keys(en).sort(), Object.keys(ko).sort())
  // the typed guarantee behind it (tsc -p web/tsconfig.json covers the tests): the English dictionary is
  // declared a Dict, the Korean one's type, so one without a Korean key does not compile
  const { appName, ...withoutAppName } = en
  // @ts-expect-error appName is missing: not a Dict
  const incomplete: Dict = withoutAppName
  t.equal(incomplete.tagline, en.tagline)
  t.equal(appName, 'Sunbae')
})
