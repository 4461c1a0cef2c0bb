/** Why Firestore-backed checks cannot run here (a plain reason for `skip`), or false. */
export function firestoreMissing(): string | false {
  if (process.env.SUNBAE_FIRESTORE_UNAVAILABLE) return `Firestore emulator unavailable: ${process.env.SUNBAE_FIRESTORE_UNAVAILABLE}`
  if (!process.env.FIRESTORE_EMULATOR_HOST) return 'FIRESTORE_EMULATOR_HOST is not set: start the Firestore emulator (npm test does it for you)'
  return false
}
