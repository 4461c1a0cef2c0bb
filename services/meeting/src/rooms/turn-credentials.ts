import { createHmac } from 'node:crypto'

export interface TurnCredentials {
  username: string
  credential: string
  expiresAt: Date
}

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest, coturn's use-auth-secret): the username is
 * `<expiry unix seconds>:<uid>`, the password base64(HMAC-SHA1(secret, username)). coturn recomputes the
 * HMAC with its static-auth-secret and refuses a username whose time has passed, so nothing is stored
 * and a leaked pair is worth nothing after `expiresAt`.
 */
export function turnCredentials(secret: string, uid: string, expiresAt: Date): TurnCredentials {
  const expiry = Math.floor(expiresAt.getTime() / 1000)
  const username = `${expiry}:${uid}`
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64'), expiresAt: new Date(expiry * 1000) }
}
