// The words of the account's lifecycle pages (forgot password, the email action page: reset the password,
// verify the email). In English: spread into en/index.ts, loaded only when a visitor chooses English; typed
// by the Korean words (ko/account.ts), so a missing or extra key is a type error.
import type { accountKo } from '../ko/account.ts'

export const accountEn: typeof accountKo = {
  forgotLink: 'Forgot your password?',
  forgotTitle: 'Reset your password',
  forgotIntro: 'Enter the email address you signed up with and we will send you a link to choose a new password.',
  forgotSubmit: 'Send the reset link',
  forgotSent: (email: string) => `If an account exists for ${email}, we sent it a link to reset the password. Check your inbox.`,
  forgotBack: 'Back to log in',
  resetTitle: 'Choose a new password',
  resetFor: (email: string) => `Enter a new password for ${email}.`,
  resetNewPassword: 'New password',
  resetSubmit: 'Change the password',
  resetDone: 'Your password was changed. Log in with the new one.',
  actionChecking: 'Checking the link…',
  actionInvalid: 'This link has expired or was used already. Please ask for a new one.',
  actionUnknown: 'This link is not one we know.',
  verifyDone: 'Your email address is verified.',
  verifyNeeded: 'Your email address is not verified yet. Open the link in the email we sent when you signed up.',
  verifyResend: 'Send the email again',
  verifySent: (email: string) => `We sent a verification email to ${email}.`,
  goLogin: 'Log in',
  goHome: 'Home',
}
