import { Type } from 'typebox'
import { serviceConfig } from '@sunbae/service-kit'

export const configSchema = serviceConfig({
  /** Firebase project whose users this service mirrors; `demo-sunbae` is the emulator's. */
  FIREBASE_PROJECT_ID: Type.String({ minLength: 1, default: 'demo-sunbae' }),
})
