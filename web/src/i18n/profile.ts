// The words of my page's name editor (issue 21: change the display name), Korean and English. Spread
// into dict.ts's two dictionaries, so a missing English string is still a type error.
export const profileKo = {
  profileRename: '이름 바꾸기',
  profileRenamed: '이름을 바꿨습니다. 멘토·멘티에게도 새 이름으로 보입니다.',
}

export const profileEn: typeof profileKo = {
  profileRename: 'Change name',
  profileRenamed: 'Your name was changed. Your mentors and mentees see the new one.',
}
