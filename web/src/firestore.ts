// Firestore (the chat's messages, the notification bell's unread count), on the app of firebase.ts. In
// development it points at the emulator `npm start` passes in. Only code that needs realtime data imports
// it, and only from chunks loaded for a signed-in user: search never downloads it.
import { connectFirestoreEmulator, getFirestore } from 'firebase/firestore'
import { firebaseApp, targets } from './firebase.ts'

export const db = getFirestore(firebaseApp)

if (targets.firestoreEmulatorHost) {
  const [host, port] = targets.firestoreEmulatorHost.split(':')
  connectFirestoreEmulator(db, host ?? '127.0.0.1', Number(port ?? 8181))
}
