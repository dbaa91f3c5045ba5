import { useState, type FormEvent } from 'react';
import { TextField } from '../components/forms';
import { Empty, Loading, Notice, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { formatDateTime } from '../lib/dates';
import { useSession } from '../auth/session';
import { useConnect, useConnections, useCreateFeed, useDisconnect, useFeed, useReplaceConnection, useRevokeFeed, type Connection } from './api';

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(text).then(() => setCopied(true))}>
        Copy the link
      </button>
      <span role="status">{copied ? ' Copied.' : ''}</span>
    </>
  );
}

function Feed() {
  const feed = useFeed();
  const create = useCreateFeed();
  const revoke = useRevokeFeed();
  const [confirmRotate, setConfirmRotate] = useState(false);
  const created = create.data;
  return (
    <section className="panel" aria-labelledby="feed">
      <h2 id="feed">Your calendar feed</h2>
      <p>
        A secret link your calendar app subscribes to: your deadlines, by case reference and kind, never a name. Anyone with
        the link can read it: keep it to yourself, and rotate it if it leaks.
      </p>
      <ProblemAlert error={feed.error ?? create.error ?? revoke.error} />
      {feed.isPending ? <Loading what="your feed" /> : null}
      {feed.data ? (
        <p>{feed.data.exists ? `A feed link is live since ${formatDateTime(feed.data.created_at)}.` : 'You have no feed link.'}</p>
      ) : null}
      {created ? (
        <Notice tone="warning">
          <p>Your new feed link, shown only now:</p>
          <p className="token" aria-label="Feed link">{created.url}</p>
          <div className="actions">
            <CopyButton text={created.url} />
            <a className="button" href={created.webcal_url}>
              Open in my calendar app (webcal)
            </a>
          </div>
        </Notice>
      ) : null}
      <div className="actions">
        {!feed.data?.exists ? (
          <button type="button" onClick={() => create.mutate()} disabled={create.isPending}>
            Create a feed link
          </button>
        ) : confirmRotate ? (
          <>
            <button type="button" onClick={() => create.mutate(undefined, { onSuccess: () => setConfirmRotate(false) })}>
              Yes, rotate: the old link stops working
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmRotate(false)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button type="button" className="secondary" onClick={() => setConfirmRotate(true)}>
              Rotate the link
            </button>
            <button type="button" className="danger" onClick={() => revoke.mutate(undefined, { onSuccess: () => create.reset() })}>
              Turn the feed off
            </button>
          </>
        )}
      </div>
    </section>
  );
}

function ConnectionForm({ shared, existing, onDone }: { shared: boolean; existing?: Connection; onDone(): void }) {
  const connect = useConnect(shared);
  const replace = useReplaceConnection();
  const m = existing ? replace : connect;
  const [url, setUrl] = useState(existing?.url ?? '');
  const [username, setUsername] = useState(existing?.username ?? '');
  const [password, setPassword] = useState('');
  const errors = fieldErrorsOf(m.error);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = { url, username, password };
    if (existing) await replace.mutateAsync({ id: existing.id, body });
    else await connect.mutateAsync(body);
    onDone();
  }
  const title = existing ? 'Change the connection' : shared ? 'Connect a shared union calendar' : 'Connect a CalDAV calendar';
  return (
    <form className="panel" onSubmit={(e) => void submit(e).catch(() => undefined)} aria-label={title}>
      <h3>{title}</h3>
      <ProblemAlert error={m.error} />
      <TextField label="Calendar address" type="url" value={url} onChange={(e) => setUrl(e.target.value)} error={errors.url} required hint="The calendar collection's https:// address, without credentials" />
      <TextField label="Username" value={username} onChange={(e) => setUsername(e.target.value)} error={errors.username} required autoComplete="off" />
      <TextField label="App password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} required autoComplete="new-password" hint="Stored encrypted; never shown again" />
      <div className="actions">
        <button type="submit" disabled={m.isPending}>{existing ? 'Save' : 'Connect'}</button>
        <button type="button" className="secondary" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

function CalDav() {
  const { hasRole } = useSession();
  const connections = useConnections();
  const disconnect = useDisconnect();
  const [form, setForm] = useState<{ shared: boolean; existing?: Connection } | null>(null);
  return (
    <section className="panel" aria-labelledby="caldav">
      <h2 id="caldav">CalDAV connections</h2>
      <p>Ombuds can push your deadlines to a CalDAV calendar (Nextcloud, Fastmail, iCloud…) with an app password.</p>
      <ProblemAlert error={connections.error ?? disconnect.error} />
      {connections.data && !connections.data.length ? <Empty>No CalDAV connection.</Empty> : null}
      {connections.data?.length ? (
        <div className="table-wrap">
          <table>
            <caption>Your connections</caption>
            <thead>
              <tr>
                <th scope="col">Calendar</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Last synced</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {connections.data.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    {c.url}
                    <div className="muted">{c.username}</div>
                  </th>
                  <td>{c.scope}</td>
                  <td>
                    {c.status}
                    {c.status_message ? <div className="muted">{c.status_message}</div> : null}
                  </td>
                  <td>{c.last_synced_at ? `${formatDateTime(c.last_synced_at)} (${c.events} events)` : 'Not yet'}</td>
                  <td>
                    <div className="actions">
                      <button type="button" className="secondary" onClick={() => setForm({ shared: false, existing: c })}>Change</button>
                      <button type="button" className="danger" onClick={() => disconnect.mutate(c.id)}>Disconnect</button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setForm({ shared: false })}>Connect a calendar</button>
        {hasRole('administrator') ? (
          <button type="button" className="secondary" onClick={() => setForm({ shared: true })}>Connect a shared union calendar</button>
        ) : null}
      </div>
      {form ? <ConnectionForm key={form.existing?.id ?? String(form.shared)} shared={form.shared} {...(form.existing ? { existing: form.existing } : {})} onDone={() => setForm(null)} /> : null}
    </section>
  );
}

export default function CalendarPage() {
  return (
    <>
      <PageHeading title="Calendar">Calendar</PageHeading>
      <Feed />
      <CalDav />
    </>
  );
}
