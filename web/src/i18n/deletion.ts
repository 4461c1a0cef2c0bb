// The words of "delete my account" (issue 21, PIPA / GDPR): the danger zone on my page, its
// confirmation and the notice on the home page afterwards, in the reader's language (useDeletionWords).
import { useI18n } from './index.tsx'

export const deletionKo = {
  deleteZoneTitle: '계정 삭제',
  deleteZoneIntro: '계정을 삭제하면 이름, 이메일, 멘토 프로필, 요청 메시지와 알림이 지워지고 되돌릴 수 없습니다. 결제 기록은 법에 따라 보관되지만 개인 정보 없이 남습니다. 앞으로 예정된 세션은 취소되고 전액 환불됩니다.',
  deleteAccount: '계정 삭제',
  deleteConfirmTitle: '정말 계정을 삭제할까요?',
  deleteConfirmPrompt: (word: string) => `확인을 위해 ${word} 를 입력하세요.`,
  deleteConfirmOk: '영구 삭제',
  deleteDone: '계정을 삭제했습니다. 그동안 선배를 이용해 주셔서 감사합니다.',
  deleteNoticeClose: '알림 닫기',
}

export const deletionEn: typeof deletionKo = {
  deleteZoneTitle: 'Delete account',
  deleteZoneIntro: 'Deleting your account erases your name, email, mentor profile, request messages and notifications, and cannot be undone. Payment records are kept as the law requires, without your personal data. Upcoming sessions are cancelled with a full refund.',
  deleteAccount: 'Delete account',
  deleteConfirmTitle: 'Delete your account for good?',
  deleteConfirmPrompt: (word: string) => `Type ${word} to confirm.`,
  deleteConfirmOk: 'Delete for good',
  deleteDone: 'Your account was deleted. Thank you for using Sunbae.',
  deleteNoticeClose: 'Close the notice',
}

/** The deletion words in the language the app shows. */
export function useDeletionWords(): typeof deletionKo {
  const { lang } = useI18n()
  return lang === 'en' ? deletionEn : deletionKo
}
