import t from 'tap'
import { DICTS } from '../src/i18n/dict.ts'
import { adminEn, adminKo } from '../src/i18n/admin.ts'
import { adminOpsEn, adminOpsKo } from '../src/i18n/admin-ops.ts'
import { meetingEn, meetingKo } from '../src/i18n/meeting.ts'
import { notificationEn, notificationKo } from '../src/i18n/notification.ts'
import { paymentEn, paymentKo } from '../src/i18n/payment.ts'
import { accountEn, accountKo } from '../src/i18n/account.ts'
import { profileEn, profileKo } from '../src/i18n/profile.ts'
import { matchingEn, matchingKo } from '../src/i18n/matching.ts'

// dict.ts spreads these parts into one dictionary per language, then adds its own keys: a key that two
// parts define (or that dict.ts defines again) silently takes the last one's words, and TypeScript
// cannot tell. The action page once said the verified-address gate's "try again" because both
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
    const dict = DICTS[lang] as unknown as Record<string, unknown>
    const overridden = [...owners].filter(([key, [name]]) => dict[key] !== parts[lang][name!]![key]).map(([key]) => key)
    t.same(overridden, [], "no part's key is replaced by dict.ts's own")
  })
}
