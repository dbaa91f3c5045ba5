import { useState, type FormEvent } from 'react';
import { CheckboxGroup, SelectField, TextField } from '../components/forms';
import { Empty, Loading, Notice, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { ROLES, STAFF_KINDS, roleLabel, staffKindLabel } from '../lib/labels';
import { formatDateTime } from '../lib/dates';
import type { Role } from '../auth/session';
import { MemberPicker, type PickedMember } from '../directory/MemberPicker';
import { useCreateUser, useLinkMember, useSetActive, useSetRoles, useUsers, type User } from './api';
import type { Schemas } from '../api/client';

type StaffKind = Schemas['StaffResourceKind'];

const roleOptions = ROLES.map((r) => ({ value: r, label: roleLabel(r) }));
const staffOptions = STAFF_KINDS.map((k) => ({ value: k, label: staffKindLabel(k) }));

function RolesEditor({ user, onDone }: { user: User; onDone(): void }) {
  const setRoles = useSetRoles();
  const [roles, setRolesValue] = useState<Role[]>(user.roles);
  const [kind, setKind] = useState<string>(user.staff_resource_kind ?? '');
  const errors = fieldErrorsOf(setRoles.error);
  async function submit(e: FormEvent) {
    e.preventDefault();
    await setRoles.mutateAsync({
      userId: user.id,
      body: { roles, staff_resource_kind: roles.includes('staff_resource') ? ((kind || null) as StaffKind | null) : null },
    });
    onDone();
  }
  return (
    <form onSubmit={(e) => void submit(e).catch(() => undefined)} aria-label={`Roles of ${user.username}`} className="panel">
      <h3>Roles of {user.username}</h3>
      <ProblemAlert error={setRoles.error} />
      <CheckboxGroup label="Roles" options={roleOptions} value={roles} onChange={setRolesValue} error={errors.roles} required />
      {roles.includes('staff_resource') ? (
        <SelectField
          label="Kind of staff resource (4.3.1(v))"
          options={staffOptions}
          placeholder="Choose…"
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          error={errors.staff_resource_kind ?? errors.body}
          required
        />
      ) : null}
      <div className="actions">
        <button type="submit" disabled={setRoles.isPending}>
          Save roles
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function MemberLinkEditor({ user, onDone }: { user: User; onDone(): void }) {
  const link = useLinkMember();
  const [member, setMember] = useState<PickedMember | null>(null);
  return (
    <div className="panel">
      <h3>Member record of {user.username}</h3>
      <p className="hint">Linking a user to their member record lets the system detect their conflicts of interest (4.3.1(iv)).</p>
      <ProblemAlert error={link.error} />
      <MemberPicker label={`Find the member record of ${user.username}`} value={member} onChange={setMember} />
      <div className="actions">
        <button
          type="button"
          disabled={!member || link.isPending}
          onClick={() => member && link.mutate({ userId: user.id, memberId: member.id }, { onSuccess: onDone })}
        >
          Link this member
        </button>
        {user.member_id ? (
          <button type="button" className="secondary" onClick={() => link.mutate({ userId: user.id, memberId: null }, { onSuccess: onDone })}>
            Remove the link
          </button>
        ) : null}
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function CreateUser() {
  const create = useCreateUser();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<Role[]>(['ombudsperson']);
  const [kind, setKind] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const errors = fieldErrorsOf(create.error);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setCreated(null);
    const user = await create.mutateAsync({
      username,
      display_name: displayName,
      password,
      email: email.trim() || null,
      roles,
      staff_resource_kind: roles.includes('staff_resource') ? ((kind || null) as StaffKind | null) : null,
    });
    setCreated(user.username);
    setUsername('');
    setDisplayName('');
    setPassword('');
    setEmail('');
  }
  return (
    <section aria-labelledby="create-user" className="panel">
      <h2 id="create-user">Add a user</h2>
      {created ? <Notice tone="success">User {created} was created.</Notice> : null}
      <ProblemAlert error={create.error} />
      <form onSubmit={(e) => void submit(e).catch(() => undefined)}>
        <div className="grid-2">
          <TextField label="Username" value={username} onChange={(e) => setUsername(e.target.value)} error={errors.username} required autoComplete="off" hint="Letters, digits, dot, dash or underscore" />
          <TextField label="Display name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} error={errors.display_name} required />
        </div>
        <TextField label="Initial password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} required autoComplete="new-password" hint="At least 12 characters; give it to the user in person." />
        <TextField label="E-mail address" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} autoComplete="off" hint="Where their notifications are sent; they can change it themselves. Leave empty for the app only." />
        <CheckboxGroup label="Roles" options={roleOptions} value={roles} onChange={setRoles} error={errors.roles} required />
        {roles.includes('staff_resource') ? (
          <SelectField label="Kind of staff resource (4.3.1(v))" options={staffOptions} placeholder="Choose…" value={kind} onChange={(e) => setKind(e.target.value)} error={errors.staff_resource_kind ?? errors.body} required />
        ) : null}
        <button type="submit" disabled={create.isPending}>
          Add the user
        </button>
      </form>
    </section>
  );
}

export default function UsersPage() {
  const users = useUsers();
  const setActive = useSetActive();
  const [editing, setEditing] = useState<{ id: string; what: 'roles' | 'member' } | null>(null);
  return (
    <>
      <PageHeading title="Users and roles">Users and roles</PageHeading>
      <ProblemAlert error={users.error ?? setActive.error} />
      {users.isPending ? <Loading what="users" /> : null}
      {users.data && users.data.length === 0 ? <Empty>No users yet.</Empty> : null}
      {users.data?.length ? (
        <div className="table-wrap">
          <table>
            <caption>Every account, by username</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Name</th>
                <th scope="col">Roles</th>
                <th scope="col">Member record</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.username}</th>
                  <td>{u.display_name}</td>
                  <td>
                    {u.roles.map(roleLabel).join(', ')}
                    {u.staff_resource_kind ? <div className="muted">{staffKindLabel(u.staff_resource_kind)}</div> : null}
                  </td>
                  <td>{u.member_id ? 'Linked' : '—'}</td>
                  <td>{u.is_active ? <span className="badge badge-ok">Active</span> : <span className="badge badge-muted">Deactivated</span>}</td>
                  <td>{formatDateTime(u.created_at)}</td>
                  <td>
                    <div className="actions">
                      <button type="button" className="secondary" aria-label={`Change the roles of ${u.username}`} onClick={() => setEditing({ id: u.id, what: 'roles' })}>
                        Roles
                      </button>
                      <button type="button" className="secondary" aria-label={`Link ${u.username} to a member`} onClick={() => setEditing({ id: u.id, what: 'member' })}>
                        Member
                      </button>
                      <button
                        type="button"
                        className={u.is_active ? 'danger' : 'secondary'}
                        aria-label={`${u.is_active ? 'Deactivate' : 'Reactivate'} ${u.username}`}
                        onClick={() => setActive.mutate({ userId: u.id, active: !u.is_active })}
                      >
                        {u.is_active ? 'Deactivate' : 'Reactivate'}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editing
        ? (() => {
            const user = users.data?.find((u) => u.id === editing.id);
            if (!user) return null;
            return editing.what === 'roles' ? (
              <RolesEditor key={user.id} user={user} onDone={() => setEditing(null)} />
            ) : (
              <MemberLinkEditor key={user.id} user={user} onDone={() => setEditing(null)} />
            );
          })()
        : null}
      <CreateUser />
    </>
  );
}
