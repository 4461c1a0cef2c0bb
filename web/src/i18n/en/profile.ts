// The words of my page's name editor (issue 21: change the display name). In English: spread into
// en/index.ts, loaded only when a visitor chooses English; typed by the Korean words (ko/profile.ts), so a
// missing or extra key is a type error.
import type { profileKo } from '../ko/profile.ts'

export const profileEn: typeof profileKo = {
  profileRename: 'Change name',
  profileRenamed: 'Your name was changed. Your mentors and mentees see the new one.',
}
