// The words of my page's name editor (issue 21: change the display name). In Korean, the default language:
// spread into ko/index.ts; en/profile.ts has the same keys in English.
export const profileKo = {
  profileRename: '이름 바꾸기',
  profileRenamed: '이름을 바꿨습니다. 멘토·멘티에게도 새 이름으로 보입니다.',
}
