// The words of mentor photos (issue 23): the upload with crop on my page, in the reader's language
// (usePhotoWords).
import { useI18n } from './index.tsx'

export const photoKo = {
  photoTitle: '프로필 사진',
  photoHint: 'JPEG, PNG, WebP · 정사각형으로 잘라 올립니다. 사진이 없으면 이름 첫 글자가 보입니다.',
  photoChoose: '사진 올리기',
  photoChange: '사진 바꾸기',
  photoRemove: '사진 지우기',
  photoCropTitle: '사진 자르기',
  photoZoom: '확대',
  photoSave: '이 영역으로 저장',
  photoSaved: '사진을 저장했습니다.',
  photoRemoved: '사진을 지웠습니다.',
  photoWrongType: 'JPEG, PNG, WebP 이미지만 올릴 수 있습니다.',
  photoUnreadable: '이 파일을 이미지로 읽을 수 없습니다.',
}

export const photoEn: typeof photoKo = {
  photoTitle: 'Profile photo',
  photoHint: 'JPEG, PNG or WebP, cropped to a square. Without a photo, your initials show.',
  photoChoose: 'Upload photo',
  photoChange: 'Change photo',
  photoRemove: 'Remove photo',
  photoCropTitle: 'Crop your photo',
  photoZoom: 'Zoom',
  photoSave: 'Save this area',
  photoSaved: 'Your photo was saved.',
  photoRemoved: 'Your photo was removed.',
  photoWrongType: 'Only JPEG, PNG or WebP images can be uploaded.',
  photoUnreadable: 'This file cannot be read as an image.',
}

/** The photo words in the language the app shows. */
export function usePhotoWords(): typeof photoKo {
  const { lang } = useI18n()
  return lang === 'en' ? photoEn : photoKo
}
