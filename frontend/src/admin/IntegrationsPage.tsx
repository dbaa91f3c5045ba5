import { useState, type FormEvent } from 'react';
import { TextField } from '../components/forms';
import { Empty, Loading, Notice, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { formatDateTime } from '../lib/dates';
import { useCreateServiceAccount, useIssueToken, useRevokeToken, useServiceAccounts, useTokens, type ServiceAccount } from './api';

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button
        type="button"
        className="secondary"
        onClick={() =>
          void navigator.clipboard
            ?.writeText(text)
            .then(() => setCopied(true))
            .catch(() => setCopied(false))
        }
      >
        {label}
      </button>
      <span role="status">{copied ? ' Copied.' : ''}</span>
    </>
  );
}

function Tokens({ account }: { account: ServiceAccount }) {
  const tokens = useTokens(account.id);
  const issue = useIssueToken(account.id);
  const revoke = useRevokeToken(account.id);
  const [expires, setExpires] = useState('');
  const [issued, setIssued] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setIssued(null);
    const t = await issue.mutateAsync({
      scopes: ['deadlines:read'],
      expires_at: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
    });
    setIssued(t.token);
  }
  return (
    <section className="panel" aria-labelledby={`acct-${account.id}`}>
      <h2 id={`acct-${account.id}`}>{account.name}</h2>
      <p className="muted">
        {account.is_active ? 'Active' : 'Inactive'} · created {formatDateTime(account.created_at)}
      </p>
      <ProblemAlert error={tokens.error ?? revoke.error} />
      {tokens.isPending ? <Loading what="tokens" /> : null}
      {tokens.data && !tokens.data.length ? <Empty>No tokens.</Empty> : null}
      {tokens.data?.length ? (
        <div className="table-wrap">
          <table>
            <caption>Tokens of {account.name} (the tokens themselves are never shown again)</caption>
            <thead>
              <tr>
                <th scope="col">Starts with</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.id}>
                  <th scope="row"><code>{t.prefix}…</code></th>
                  <td>{t.scopes.join(', ')}</td>
                  <td>{formatDateTime(t.created_at)}</td>
                  <td>{t.expires_at ? formatDateTime(t.expires_at) : 'Never'}</td>
                  <td>{t.last_used_at ? formatDateTime(t.last_used_at) : 'Never'}</td>
                  <td>
                    {t.revoked_at ? (
                      <span className="badge badge-muted">Revoked {formatDateTime(t.revoked_at)}</span>
                    ) : (
                      <button type="button" className="danger" onClick={() => revoke.mutate(t.id)} aria-label={`Revoke the token ${t.prefix}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form onSubmit={(e) => void submit(e).catch(() => undefined)} aria-label={`Issue a token for ${account.name}`}>
        <h3>Issue a token</h3>
        <p className="hint">Scope: deadlines only (dates, case reference, kind of deadline; never names).</p>
        <ProblemAlert error={issue.error} />
        <TextField label="Expires on (optional)" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} error={fieldErrorsOf(issue.error).expires_at} />
        <button type="submit" disabled={issue.isPending}>Issue a token</button>
      </form>
      {issued ? (
        <Notice tone="warning">
          <p>Copy this token now: it is shown only once.</p>
          <p className="token" aria-label="New API token">{issued}</p>
          <CopyButton text={issued} label="Copy the token" />
        </Notice>
      ) : null}
    </section>
  );
}

export default function IntegrationsPage() {
  const accounts = useServiceAccounts();
  const create = useCreateServiceAccount();
  const [name, setName] = useState('');
  async function submit(e: FormEvent) {
    e.preventDefault();
    await create.mutateAsync(name);
    setName('');
  }
  return (
    <>
      <PageHeading title="Integration tokens">Integration tokens</PageHeading>
      <p>Systems such as a shared calendar read deadlines with a scoped token. They never see a name.</p>
      <ProblemAlert error={accounts.error} />
      {accounts.isPending ? <Loading what="service accounts" /> : null}
      {accounts.data?.map((a) => <Tokens key={a.id} account={a} />)}
      <section className="panel" aria-labelledby="add-account">
        <h2 id="add-account">Add an integration</h2>
        <ProblemAlert error={create.error} />
        <form onSubmit={(e) => void submit(e).catch(() => undefined)}>
          <TextField label="Name of the integration" value={name} onChange={(e) => setName(e.target.value)} error={fieldErrorsOf(create.error).name} required />
          <button type="submit" disabled={create.isPending}>Add the integration</button>
        </form>
      </section>
    </>
  );
}
