import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { homeFor, useSession } from '../auth/session';
import { TextField } from '../components/forms';
import { Notice, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { ApiError } from '../api/problem';
import { groupSecret, useConfirmSecondFactor, useStartSecondFactor } from './api';

export default function SecondFactorPage() {
  const { me, refresh } = useSession();
  const navigate = useNavigate();
  const start = useStartSecondFactor();
  const confirm = useConfirmSecondFactor();
  const [code, setCode] = useState('');
  const [done, setDone] = useState(false);
  const enrolment = start.data;
  if (!me) return null;
  const pending = me.second_factor_pending;
  const codeError = fieldErrorsOf(confirm.error).code;
  // A 422 is shown next to the code field; anything else above the form.
  const confirmProblem = confirm.error instanceof ApiError && confirm.error.status === 422 ? null : confirm.error;

  function submit(e: FormEvent) {
    e.preventDefault();
    confirm.mutate(code.trim(), {
      onSuccess: async () => {
        setDone(true);
        setCode('');
        const account = await refresh();
        if (pending) navigate(homeFor(account), { replace: true });
      },
      onError: () => setCode(''),
    });
  }

  return (
    <div className="narrow">
      <PageHeading title="Second factor">Second factor</PageHeading>
      <p>
        A second factor asks for a one-time code from an authenticator app on your phone each time you sign in, so a stolen
        password alone cannot open confidential complaints.
      </p>
      {pending ? (
        <Notice tone="warning">
          Your role must use a second factor. Set it up now: until you do, nothing else can be opened.
        </Notice>
      ) : null}
      {done ? <Notice tone="success">Your second factor is on. You will be asked for a code each time you sign in.</Notice> : null}
      {me.second_factor_enabled && !done ? (
        <Notice tone="success">Your second factor is on. If you lose the phone, ask an administrator for help.</Notice>
      ) : null}
      {!me.second_factor_enabled ? (
        <section className="panel" aria-labelledby="set-up">
          <h2 id="set-up">Set up a second factor</h2>
          <ProblemAlert error={start.error} />
          {enrolment ? (
            <>
              <ol>
                <li>
                  Add an account to your authenticator app: scan with it, or{' '}
                  <a href={enrolment.otpauth_uri}>open this set-up link on the phone</a>, or type the key below.
                </li>
                <li>Enter the 6-digit code the app then shows, to turn the second factor on.</li>
              </ol>
              <dl className="facts secret">
                <dt>Key</dt>
                <dd>
                  <code className="token">{groupSecret(enrolment.secret)}</code>
                </dd>
                <dt>Account</dt>
                <dd>{me.username} (Ombuds)</dd>
              </dl>
              <p className="hint">The key is shown only now. Do not keep it anywhere else.</p>
              <form onSubmit={submit} aria-label="Turn on the second factor">
                <ProblemAlert error={confirmProblem} />
                <TextField
                  label="One-time code"
                  name="otp"
                  className="otp"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9]{6}"
                  maxLength={6}
                  hint="The 6-digit code your authenticator app shows now."
                  error={codeError ? 'The code is wrong or was already used. Enter the code the app shows now.' : undefined}
                  value={code}
                  onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
                  required
                />
                <div className="actions">
                  <button type="submit" disabled={confirm.isPending}>
                    {confirm.isPending ? 'Checking…' : 'Turn on the second factor'}
                  </button>
                  <button type="button" className="secondary" disabled={start.isPending} onClick={() => start.mutate()}>
                    Start again with a new key
                  </button>
                </div>
              </form>
            </>
          ) : (
            <button type="button" disabled={start.isPending} onClick={() => start.mutate()}>
              {start.isPending ? 'Preparing…' : 'Set up a second factor'}
            </button>
          )}
        </section>
      ) : null}
    </div>
  );
}
