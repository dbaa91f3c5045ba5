// Setting up the signed-in user's TOTP second factor: a secret to add to an authenticator
// app, then a first code to turn it on.
import { useMutation } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';

export type Enrolment = Schemas['SecondFactorEnrolment'];

export function useStartSecondFactor() {
  return useMutation({ mutationFn: () => unwrap(api.POST('/api/auth/second-factor')) });
}

export function useConfirmSecondFactor() {
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/auth/second-factor/confirm', { body: { code } })),
  });
}

/** "JBSW Y3DP EHPK 3PXP": the secret in groups of four, easier to type from the screen. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}
