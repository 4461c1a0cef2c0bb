// My photo, on the mentor side of my page: choose an image, crop it square (react-easy-crop), and the
// square goes to PUT /api/mentors/me/photo as a JPEG drawn on a canvas. The catalog makes the sizes
// that are shown (and drops the metadata); without a photo the initials avatar shows.
//
// The chosen file is read as a data: URL, not an object URL: the Content-Security-Policy allows images
// from 'self' and data: only (web/security-headers.ts).
import { Button, Flex, Modal, Slider, Typography } from 'antd'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRef, useState } from 'react'
import Cropper, { type Area } from 'react-easy-crop'
import { MENTOR_PHOTO_LIMITS, type MyMentorProfile } from '@sunbae/contracts'
import { Avatar } from '../../components/Avatar.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { usePhotoWords } from '../../i18n/photo.ts'
import { deleteMyPhoto, putMyPhoto } from '../../services/catalog.ts'

/** the side of the square sent: the largest size kept (480 px) at twice the density */
const OUTPUT_MAX = 960

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(reader.result as string)
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'))
    reader.readAsDataURL(file)
  })
}

/** The crop as a square JPEG, at most OUTPUT_MAX px a side. */
async function cropToBlob(src: string, area: Area): Promise<Blob> {
  const img = new Image()
  img.src = src
  await img.decode()
  const side = Math.min(OUTPUT_MAX, Math.round(area.width))
  const canvas = document.createElement('canvas')
  canvas.width = side
  canvas.height = side
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('no canvas')
  ctx.imageSmoothingQuality = 'high'
  ctx.drawImage(img, area.x, area.y, area.width, area.height, 0, 0, side, side)
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no image'))), 'image/jpeg', 0.9))
}

export function PhotoEditor({ profile }: { profile: MyMentorProfile }) {
  const w = usePhotoWords()
  const fb = useFeedback()
  const qc = useQueryClient()
  const input = useRef<HTMLInputElement>(null)
  const [src, setSrc] = useState<string | null>(null)
  const [crop, setCrop] = useState({ x: 0, y: 0 })
  const [zoom, setZoom] = useState(1)
  const [area, setArea] = useState<Area | null>(null)

  const changed = (p: { photoUrl: string | null }) => {
    qc.setQueryData<MyMentorProfile>(['my-mentor-profile'], (old) => (old ? { ...old, photoUrl: p.photoUrl } : old))
    void qc.invalidateQueries({ queryKey: ['mentor', profile.id] })
    void qc.invalidateQueries({ queryKey: ['search'] })
  }
  const upload = useMutation({
    mutationFn: async () => putMyPhoto(await cropToBlob(src!, area!)),
    onSuccess: (r) => {
      changed(r)
      setSrc(null)
      fb.success(w.photoSaved)
    },
    onError: fb.error,
  })
  const remove = useMutation({
    mutationFn: deleteMyPhoto,
    onSuccess: () => {
      changed({ photoUrl: null })
      fb.success(w.photoRemoved)
    },
    onError: fb.error,
  })

  const choose = async (file: File | undefined) => {
    if (input.current) input.current.value = ''
    if (!file) return
    if (!(MENTOR_PHOTO_LIMITS.types as readonly string[]).includes(file.type)) return fb.info(w.photoWrongType)
    try {
      setSrc(await readAsDataUrl(file))
      setCrop({ x: 0, y: 0 })
      setZoom(1)
    } catch {
      fb.info(w.photoUnreadable)
    }
  }

  return (
    <Flex gap={16} align="center" wrap style={{ marginBottom: 16 }} data-testid="photo-editor">
      <Avatar id={profile.id} name={profile.displayName} photoUrl={profile.photoUrl} size={96} decorative loading="eager" />
      <Flex vertical gap={8}>
        <Typography.Text strong>{w.photoTitle}</Typography.Text>
        <Typography.Text type="secondary">{w.photoHint}</Typography.Text>
        <Flex gap={8}>
          <Button onClick={() => input.current?.click()}>{profile.photoUrl ? w.photoChange : w.photoChoose}</Button>
          {profile.photoUrl && <Button danger onClick={() => remove.mutate()} loading={remove.isPending}>{w.photoRemove}</Button>}
        </Flex>
        <input ref={input} type="file" accept={MENTOR_PHOTO_LIMITS.types.join(',')} hidden aria-label={w.photoChoose} data-testid="photo-input"
          onChange={(e) => void choose(e.target.files?.[0])} />
      </Flex>
      <Modal open={src !== null} title={w.photoCropTitle} okText={w.photoSave} onOk={() => upload.mutate()} okButtonProps={{ disabled: !area }}
        confirmLoading={upload.isPending} onCancel={() => setSrc(null)} destroyOnHidden>
        <div style={{ position: 'relative', height: 320, background: '#333' }} data-testid="photo-crop">
          {src && (
            <Cropper image={src} crop={crop} zoom={zoom} aspect={1} cropShape="round" showGrid={false}
              onCropChange={setCrop} onZoomChange={setZoom} onCropComplete={(_, pixels) => setArea(pixels)} />
          )}
        </div>
        <Flex align="center" gap={12} style={{ marginTop: 12 }}>
          <Typography.Text aria-hidden>{w.photoZoom}</Typography.Text>
          <Slider style={{ flex: 1 }} min={1} max={4} step={0.05} value={zoom} onChange={setZoom} ariaLabelForHandle={w.photoZoom} />
        </Flex>
      </Modal>
    </Flex>
  )
}
