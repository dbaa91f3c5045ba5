import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { homeFor, secondFactorProblem, useSession } from './session';
import { TextField } from '../components/forms';
import { Notice, PageHeading, ProblemAlert } from '../components/feedback';
import { ApiError } from '../api/problem';

/** Only same-site paths are followed after sign-in. */
function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : null;
}

export default function SignIn() {
  const { me, signIn, endedReason } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  // Shown once the server asks for the second factor; the username and password stay.
  const [askCode, setAskCode] = useState(false);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  const next = safeNext(params.get('next'));

  useEffect(() => {
    if (askCode) codeRef.current?.focus();
  }, [askCode, codeError]);

  if (me) return <Navigate to={next ?? homeFor(me)} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setCodeError(undefined);
    try {
      const account = await signIn(username, password, askCode ? code.trim() : undefined);
      navigate(next ?? homeFor(account), { replace: true });
    } catch (err) {
      const factor = secondFactorProblem(err);
      if (factor === 'required') {
        setAskCode(true);
        setCode('');
      } else if (factor === 'wrong') {
        setCodeError(err instanceof ApiError ? err.problem.detail : 'The code is wrong.');
        setCode('');
      } else {
        setError(err);
        setPassword('');
        setAskCode(false);
        setCode('');
      }
    } finally {
      setBusy(false);
    }
  }

  function startOver() {
    setAskCode(false);
    setCode('');
    setCodeError(undefined);
    setPassword('');
  }

  return (
    <div className="narrow">
      <PageHeading title="Sign in">Sign in</PageHeading>
      {endedReason ? <Notice tone="warning">{endedReason}</Notice> : null}
      <ProblemAlert error={error} />
      <form onSubmit={submit} aria-label="Sign in">
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          readOnly={askCode}
          required
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          readOnly={askCode}
          required
        />
        {askCode ? (
          <TextField
            ref={codeRef}
            label="One-time code"
            name="otp"
            className="otp"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            hint="The 6-digit code your authenticator app shows now."
            error={codeError}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            required
          />
        ) : null}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          {askCode ? (
            <button type="button" className="secondary" onClick={startOver}>
              Use another account
            </button>
          ) : null}
        </div>
      </form>
      <p className="hint">Your session is kept only in this tab: reloading the page or closing it signs you out.</p>
    </div>
  );
}
