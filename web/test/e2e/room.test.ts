// End-to-end: the 1:1 video room of a session (issue 23), in two Chromiums of their own — the mentee's
// and the mentor's computers — launched with a fake camera and microphone and the permission prompts
// answered (--use-fake-device-for-media-stream, --use-fake-ui-for-media-stream), against the run's
// stack (browser.ts). The set-up is made through the API, fast, since the room is the subject: a mentor
// of this file's own offering free 30-minute sessions every 5 minutes with no notice, a matched mentee,
// one session starting within 10 minutes (its room is open) and one starting hours later (closed).
//   1. both join from the lobby; each sees the other's video: the remote <video> plays frames and the
//      page's own getStats() reading counts inbound video bytes; meeting records both as attended;
//   2. the mentee mutes: the mentor's page shows it; unmutes;
//   3. the mentee leaves (the mentor is waiting again) and rejoins: frames again, on a new connection;
//   4. the mentee shares their screen (getDisplayMedia, granted by --use-fake-ui-for-media-stream, a fake
//      screen by --use-fake-device-for-media-stream): the connection's video sender now sends the display
//      capture track, the mentor's page says so and keeps receiving video, 16:9 frames instead of the
//      camera's 4:3; stopping sends the camera again;
//   5. an outsider (a third account) is refused by the API (403) and by the Firestore rules (a direct
//      read of videoRooms/{id} with their ID token: PERMISSION_DENIED; the mentee's own read works);
//   6. the later session's room is not open yet: the page says from when, the API answers 409 ROOM_CLOSED.
// Screenshots go to web/test/artifacts/room/; every page is checked (axe-core, labels, console, CSP).
import type { Page } from 'playwright-core'
import type { Test } from 'tap'
import { api, createMentor, idToken, identityToolkit, until, verifyEmail } from './accounts.ts'
import { browserSuite, type Session } from './browser.ts'
import { firebaseTargets } from '../../src/lib/firebase-targets.ts'

const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']
const SEOUL = { timezoneId: 'Asia/Seoul' }
/** a step's bound for what crosses services (events) or the network (ICE) */
const EVENTS = 60_000

/**
 * Runs in the mentee's page before the app: keeps every RTCPeerConnection the page makes where the
 * journey can read it (the page holds its own privately), so the journey reads what the connection
 * sends (its video sender's track), not what the page shows.
 */
function keepConnections(): void {
  const Native = window.RTCPeerConnection
  const kept: RTCPeerConnection[] = []
  ;(window as unknown as { __roomConnections: RTCPeerConnection[] }).__roomConnections = kept
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args)
      kept.push(this)
    }
  }
}

/**
 * Reads videoRooms/{id} as the signed-in user of `token`, through the Firestore emulator's REST API
 * under the same security rules as the app's SDK (the journeys run the production bundle, whose
 * modules a page cannot import by their source path): 'read', or the status the rules answered.
 */
async function readRoomDoc(id: string, token: string): Promise<string> {
  const host = process.env.FIRESTORE_EMULATOR_HOST
  if (!host) throw new Error('FIRESTORE_EMULATOR_HOST is not set (scripts/test.ts gives the journeys its emulators)')
  const { projectId } = firebaseTargets({})
  const res = await fetch(`http://${host}/v1/projects/${projectId}/databases/(default)/documents/videoRooms/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } })
  if (res.ok) return 'read'
  const body = (await res.json().catch(() => null)) as { error?: { status?: string } } | null
  return body?.error?.status ?? `HTTP ${res.status}`
}

interface Booking {
  id: string
  start: string
  end: string
  state: string
}

browserSuite('web e2e: the video room', { artifacts: 'room', launchArgs: FAKE_MEDIA }, async (t, { stack, session, journey }) => {
  const { gatewayUrl } = stack
  const stamp = Date.now().toString(36)
  const theMentor = await createMentor(gatewayUrl, { name: `화상선배 ${stamp}`, email: `e2e-room-mentor-${stamp}@sunbae.test`, password: `pw-${stamp}-mentor` }, '화상 멘토링 · 면접 코칭')
  const mentee = { name: `화상 후배 ${stamp}`, email: `e2e-room-${stamp}@sunbae.test`, password: `pw-${stamp}-mentee` }
  const outsider = { name: `낯선 사람 ${stamp}`, email: `e2e-room-out-${stamp}@sunbae.test`, password: `pw-${stamp}-out` }

  /** A registered account of the API's (the Auth emulator's sign-up, PUT /api/me); answers a token. */
  const register = async (a: typeof mentee) => {
    let token = await identityToolkit('accounts:signUp', { email: a.email, password: a.password, displayName: a.name })
    await until(`${a.email} registered`, async () => {
      const r = await api(gatewayUrl, 'PUT', '/api/me', token, { displayName: a.name })
      // the emulator may stamp the account's valid-since after the sign-up token (accounts.ts createMentor)
      if (r.status === 401) token = await idToken(a.email, a.password)
      return r.status === 200 || r.status === 201
    }, 30_000)
    return token
  }

  let soon!: Booking
  let later!: Booking
  await journey('set-up: a matched mentee with a session starting within 10 minutes and one hours later', async (t) => {
    const mentorToken = await idToken(theMentor.email, theMentor.password)
    const day = [{ start: '00:00', end: '24:00' }]
    const avail = await api(gatewayUrl, 'PUT', '/api/meetings/availability', mentorToken, {
      timezone: 'Asia/Seoul',
      weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day },
      overrides: [],
      durations: [30],
      // a start every 5 minutes, bookable right away: a session can begin within the room's 10 minutes
      slotIntervalMin: 5,
      minNoticeMin: 0,
      pricePerHour: 0,
    })
    t.equal(avail.status, 200, JSON.stringify(avail.json))
    await register(outsider)
    await register(mentee)
    // a 1:1 request needs a verified address
    const menteeToken = await verifyEmail(mentee.email, mentee.password)
    const request = await until('the request sent', async () => {
      const r = await api(gatewayUrl, 'POST', '/api/matching/requests', menteeToken, { mentorId: theMentor.id, message: `화상 세션 부탁드려요 (${stamp})` })
      return r.status === 201 ? (r.json as { id: string }) : null
    }, EVENTS)
    t.equal((await api(gatewayUrl, 'POST', `/api/matching/requests/${request.id}/accept`, mentorToken)).status, 200, 'the mentor accepts')
    /** Books the first free slot starting in [from, to) (free: confirmed at once). */
    const book = (what: string, from: number, to: number) =>
      until(what, async () => {
        const q = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}&duration=30`
        const slots = await api(gatewayUrl, 'GET', `/api/meetings/mentors/${theMentor.id}/slots?${q}`, menteeToken)
        const slot = (slots.json?.slots as { start: string }[] | undefined)?.find((s) => Date.parse(s.start) > Date.now() && Date.parse(s.start) < to)
        if (!slot) return null
        const r = await api(gatewayUrl, 'POST', '/api/meetings/bookings', menteeToken, { mentorId: theMentor.id, start: slot.start, duration: 30 })
        // meeting learns of the match from an event: NO_ACTIVE_MATCH until then
        if (r.status !== 201 && r.json?.error?.code !== 'NO_ACTIVE_MATCH' && r.json?.error?.code !== 'SLOT_TAKEN') throw new Error(`booking answered ${r.status}: ${JSON.stringify(r.json)}`)
        return r.status === 201 ? (r.json as Booking) : null
      }, EVENTS)
    const now = Date.now()
    soon = await book('a session starting within 10 minutes', now, now + 9 * 60_000)
    later = await book('a session hours later', now + 3 * 3_600_000, now + 4 * 3_600_000)
    t.equal(soon.state, 'confirmed', 'a free session is confirmed at once')
    t.ok(Date.parse(soon.start) - Date.now() < 10 * 60_000, `it starts in ${Math.round((Date.parse(soon.start) - Date.now()) / 1000)} s`)
  })

  // the mentee's and the mentor's computers; the outsider's browser is the suite's
  const me = await session('mentee', { ...SEOUL, ownBrowser: true })
  await me.page.addInitScript(keepConnections)
  const mentor = await session('mentor', { ...SEOUL, ownBrowser: true })
  const roomPath = (b: Booking) => `/sessions/${b.id}/room`

  /** Waits until the page's call is connected and the other person's video plays. */
  const seesVideo = async (t: Test, who: string, page: Page) => {
    await page.getByTestId('room-status').and(page.locator('[data-state="connected"]')).waitFor({ timeout: EVENTS })
    const remote = page.getByTestId('room-remote-video')
    // frames decoded and shown in the remote <video>
    await page.waitForFunction((el) => {
      const v = el as HTMLVideoElement | null
      return !!v && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0
    }, await remote.elementHandle(), { timeout: EVENTS })
    // the page's own reading of RTCPeerConnection.getStats(): inbound-rtp video bytesReceived
    const quality = page.getByTestId('room-quality')
    await page.waitForFunction((el) => Number((el as HTMLElement | null)?.dataset.videoBytes ?? 0) > 0, await quality.elementHandle({ timeout: EVENTS }), { timeout: EVENTS })
    const bytes = Number(await quality.getAttribute('data-video-bytes'))
    t.ok(bytes > 0, `${who} receives the other's video: inbound-rtp video bytesReceived ${bytes}`)
    t.comment(`${who}: quality ${await quality.getAttribute('data-quality')}, relayed through TURN: ${await quality.getAttribute('data-relayed')}`)
  }

  const join = async (t: Test, s: Session, name: string) => {
    await s.page.getByTestId('room-preview').waitFor()
    await s.page.getByTestId('room-join').and(s.page.locator(':enabled')).waitFor()
    await s.visit(t, `${name}-lobby`)
    await s.page.getByTestId('room-join').click()
  }

  await journey('both join the room, and each sees the other', async (t) => {
    await me.login(mentee.email, mentee.password)
    await mentor.login(theMentor.email, theMentor.password)
    // the mentee from their sessions: "Join" is there for a session whose room is open
    await me.page.goto('/me?tab=sessions')
    const item = me.page.getByTestId('sessions-upcoming').locator(`[data-booking="${soon.id}"]`)
    await item.getByRole('link', { name: '화상 회의 참여' }).click()
    await me.page.waitForURL((u) => u.pathname === roomPath(soon))
    await join(t, me, 'mentee')
    await me.page.getByTestId('room-status').filter({ hasText: '상대방을 기다리는 중' }).waitFor()
    await mentor.page.goto(roomPath(soon))
    await join(t, mentor, 'mentor')
    await seesVideo(t, 'the mentee', me.page)
    await seesVideo(t, 'the mentor', mentor.page)
    await me.visit(t, 'in-room')
    await mentor.visit(t, 'in-room')
    // presence went to meeting with the room token: the booking records both joins
    const token = await idToken(mentee.email, mentee.password)
    const attended = await until('both joins recorded', async () => {
      const r = await api(gatewayUrl, 'GET', `/api/meetings/bookings/${soon.id}`, token)
      const a = r.json?.attendance
      return a?.mentee?.joinedAt && a?.mentor?.joinedAt ? a : null
    }, EVENTS)
    t.ok(attended, `attendance: ${JSON.stringify(attended)}`)
  })

  await journey('the mentee mutes: the mentor sees it', async (t) => {
    await me.page.getByRole('button', { name: '마이크 끄기' }).click()
    await mentor.page.getByTestId('peer-muted').waitFor()
    t.equal(await me.page.getByRole('button', { name: '마이크 켜기' }).getAttribute('aria-pressed'), 'true', 'the button says muted')
    t.equal(await me.page.evaluate(() => (document.querySelector('[data-testid="room-local-video"]') as HTMLVideoElement).srcObject instanceof MediaStream && ((document.querySelector('[data-testid="room-local-video"]') as HTMLVideoElement).srcObject as MediaStream).getAudioTracks().every((tr) => !tr.enabled)), true, 'the microphone track sends nothing')
    await mentor.visit(t, 'peer-muted')
    await me.page.getByRole('button', { name: '마이크 켜기' }).click()
    await mentor.page.getByTestId('peer-muted').waitFor({ state: 'detached' })
  })

  await journey('the mentee leaves and rejoins: video again, on a new connection', async (t) => {
    await me.page.getByRole('button', { name: '나가기' }).click()
    await me.page.getByText('화상 세션에서 나왔습니다').waitFor()
    await mentor.page.getByTestId('room-status').and(mentor.page.locator('[data-state="waiting"]')).waitFor({ timeout: EVENTS })
    await me.visit(t, 'left')
    await mentor.visit(t, 'peer-left')
    await me.page.getByRole('button', { name: '다시 입장' }).click()
    await seesVideo(t, 'the mentee (again)', me.page)
    await seesVideo(t, 'the mentor (again)', mentor.page)
  })

  await journey('the mentee shares their screen: the mentor keeps receiving video, the screen; then the camera again', async (t) => {
    /** what the mentee's connected connection sends as video: its video sender's track */
    const sent = () =>
      me.page.evaluate(() => {
        const kept = (window as unknown as { __roomConnections?: RTCPeerConnection[] }).__roomConnections ?? []
        const track = kept.filter((c) => c.connectionState === 'connected').at(-1)?.getSenders().find((s) => s.track?.kind === 'video')?.track
        if (!track) return null
        const settings = track.getSettings() as MediaTrackSettings & { displaySurface?: string }
        return { id: track.id, label: track.label, live: track.readyState === 'live', displaySurface: settings.displaySurface ?? null }
      })
    /** what the mentor's page receives: the remote <video>'s frame size and the inbound video bytes it read from getStats() */
    const received = () =>
      mentor.page.evaluate(() => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid="room-remote-video"]')
        const q = document.querySelector<HTMLElement>('[data-testid="room-quality"]')
        return { width: v?.videoWidth ?? 0, height: v?.videoHeight ?? 0, bytes: Number(q?.dataset.videoBytes ?? 0) }
      })
    /** two frame sizes of one shape (the encoder may scale a track down, not stretch it) */
    const sameShape = (a: { width: number; height: number }, b: { width: number; height: number }) => a.height > 0 && b.height > 0 && Math.abs(a.width / a.height - b.width / b.height) < 0.02
    /** waits until the mentor's page has read more inbound video bytes than `than` (after a switch) */
    const keepsReceiving = async (than: number) => until('more inbound video bytes at the mentor', async () => ((await received()).bytes > than ? received() : null), EVENTS)

    const camera = await sent()
    t.ok(camera?.live, `the mentee sends the camera: ${camera?.label}`)
    t.equal(camera?.displaySurface, null, 'a camera track, not a display capture')
    // the fake camera's frames are 4:3, the fake screen's 16:9 (a track's settings may still say another
    // size before its first frame, so the shape is compared with what the mentor received of the camera)
    const ofCamera = await received()
    t.ok(ofCamera.width > 0, `the mentor receives the camera at ${ofCamera.width}×${ofCamera.height}`)

    const share = me.page.getByTestId('room-screen')
    await share.click()
    await share.and(me.page.locator('[aria-pressed="true"]')).waitFor()
    const screen = await until('the video sender switched to the screen', async () => {
      const now = await sent()
      return now && now.id !== camera!.id ? now : null
    }, EVENTS)
    t.ok(screen.live, `the connection now sends the screen: ${screen.label}`)
    t.ok(screen.displaySurface, `a display capture track (displaySurface ${screen.displaySurface})`)
    t.not(screen.label, camera!.label, "its label is not the camera's")
    await mentor.page.getByTestId('room-peer-media').getByText('상대방이 화면을 공유하는 중').waitFor()
    const atSwitch = (await received()).bytes
    const sharing = await keepsReceiving(atSwitch)
    t.ok(sharing.bytes > atSwitch, `the mentor keeps receiving video after the switch: ${atSwitch} → ${sharing.bytes} bytes`)
    const ofScreen = await until("the mentor's video shows frames of another shape than the camera's", async () => {
      const now = await received()
      return now.width > 0 && !sameShape(now, ofCamera) ? now : null
    }, EVENTS)
    t.pass(`the mentor's <video> shows the screen: ${ofScreen.width}×${ofScreen.height}`)
    await me.visit(t, 'sharing')
    await mentor.visit(t, 'peer-sharing')

    await share.click()
    await share.and(me.page.locator('[aria-pressed="false"]')).waitFor()
    const back = await until('the video sender back on the camera', async () => {
      const now = await sent()
      return now?.id === camera!.id ? now : null
    }, EVENTS)
    t.ok(back.live && back.displaySurface === null, 'the camera again, still live')
    await mentor.page.getByTestId('room-peer-media').getByText('상대방이 화면을 공유하는 중').waitFor({ state: 'detached' })
    const atBack = (await received()).bytes
    t.ok((await keepsReceiving(atBack)).bytes > atBack, 'and the mentor keeps receiving video')
    await until("the mentor's video shows the camera's shape again", async () => sameShape(await received(), ofCamera), EVENTS)
  })

  await journey('an outsider is refused by the API and by the Firestore rules', async (t) => {
    const out = await session('outsider', SEOUL)
    await out.login(outsider.email, outsider.password)
    await out.page.goto(roomPath(soon))
    await out.page.getByTestId('room-refused').waitFor()
    await out.visit(t, 'refused', [/status of 403/])
    const r = await api(gatewayUrl, 'POST', `/api/meetings/bookings/${soon.id}/room`, await idToken(outsider.email, outsider.password), {})
    t.equal(r.status, 403, 'POST …/room: 403')
    t.equal(r.json?.error?.code, 'NOT_A_PARTY')
    // a direct read of the room's document as each of them: the rules refuse the outsider, let the mentee
    t.equal(await readRoomDoc(soon.id, await idToken(outsider.email, outsider.password)), 'PERMISSION_DENIED', "the outsider's read of videoRooms/{id}: PERMISSION_DENIED")
    t.equal(await readRoomDoc(soon.id, await idToken(mentee.email, mentee.password)), 'read', "the mentee's read of it works")
    await out.close()
  })

  await journey('the room is closed outside its window', async (t) => {
    await mentor.page.getByRole('button', { name: '나가기' }).click()
    await me.page.goto(roomPath(later))
    await me.page.getByTestId('room-not-open').waitFor()
    await me.visit(t, 'not-yet-open', [/status of 409/])
    const r = await api(gatewayUrl, 'POST', `/api/meetings/bookings/${later.id}/room`, await idToken(mentee.email, mentee.password), {})
    t.equal(r.status, 409, 'POST …/room hours before: 409')
    t.equal(r.json?.error?.code, 'ROOM_CLOSED')
    const opensAt = (r.json?.error?.details as { field: string; message: string }[] | undefined)?.find((d) => d.field === 'opensAt')?.message
    t.equal(Date.parse(opensAt ?? ''), Date.parse(later.start) - 10 * 60_000, 'it opens 10 minutes before the start')
    // and the sessions list offers no "Join" for it yet
    await me.page.goto('/me?tab=sessions')
    const item = me.page.getByTestId('sessions-upcoming').locator(`[data-booking="${later.id}"]`)
    await item.waitFor()
    t.equal(await item.getByRole('link', { name: '화상 회의 참여' }).count(), 0, 'no join link before the room opens')
  })
})
