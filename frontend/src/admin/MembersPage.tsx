import { useDeferredValue, useState, type FormEvent } from 'react';
import { SelectField, TextField } from '../components/forms';
import { Empty, Notice, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { unitName } from '../directory/api';
import { useCreateMember, useImportMembers, useMemberSearch, useUnits, type ImportReport } from './api';

function ImportForm() {
  const importMembers = useImportMembers();
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [report, setReport] = useState<ImportReport | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    setReport(null);
    setReport(await importMembers.mutateAsync({ file, dryRun }));
  }
  return (
    <section aria-labelledby="import" className="panel">
      <h2 id="import">Import the member list (CSV)</h2>
      <p className="hint">
        Columns: <code>member_number,full_name,unit_code,email</code>. Each row is reported; a file whose header is wrong is
        refused whole and changes nothing. Try a dry run first.
      </p>
      <ProblemAlert error={importMembers.error} />
      <form onSubmit={(e) => void submit(e).catch(() => undefined)}>
        <div className="field">
          <label htmlFor="import-file">CSV file</label>
          <input id="import-file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
        </div>
        <div className="field choice">
          <input id="import-dry-run" type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
          <label htmlFor="import-dry-run"> Dry run: report only, save nothing</label>
        </div>
        <button type="submit" disabled={!file || importMembers.isPending}>
          {dryRun ? 'Check the file' : 'Import the file'}
        </button>
      </form>
      {report ? (
        <div aria-live="polite">
          <Notice tone={report.rejected.length ? 'warning' : 'success'}>
            {report.dry_run ? 'Dry run, nothing saved: ' : 'Imported: '}
            {report.rows} rows; {report.created} created, {report.updated} updated, {report.unchanged} unchanged,{' '}
            {report.rejected.length} rejected.
          </Notice>
          {report.rejected.length ? (
            <table>
              <caption>Rejected rows</caption>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Field</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {report.rejected.map((r) => (
                  <tr key={`${r.line}-${r.field}`}>
                    <th scope="row">{r.line}</th>
                    <td>{r.field}</td>
                    <td>{r.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function AddMember() {
  const units = useUnits();
  const create = useCreateMember();
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const [unitId, setUnitId] = useState('');
  const [email, setEmail] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const errors = fieldErrorsOf(create.error);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setCreated(null);
    const m = await create.mutateAsync({ member_number: number, full_name: name, unit_id: unitId, email: email || null });
    setCreated(m.member_number);
    setNumber('');
    setName('');
    setEmail('');
  }
  return (
    <section aria-labelledby="add-member" className="panel">
      <h2 id="add-member">Add a member</h2>
      {created ? <Notice tone="success">Member {created} was added.</Notice> : null}
      <ProblemAlert error={create.error} />
      <form onSubmit={(e) => void submit(e).catch(() => undefined)}>
        <div className="grid-2">
          <TextField label="Member number" value={number} onChange={(e) => setNumber(e.target.value)} error={errors.member_number} required />
          <TextField label="Full name" value={name} onChange={(e) => setName(e.target.value)} error={errors.full_name} required />
          <SelectField
            label="Unit"
            placeholder="Choose…"
            options={(units.data ?? []).map((u) => ({ value: u.id, label: `${u.code} · ${u.name}` }))}
            value={unitId}
            onChange={(e) => setUnitId(e.target.value)}
            error={errors.unit_id}
            required
          />
          <TextField label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
        </div>
        <button type="submit" disabled={create.isPending}>
          Add the member
        </button>
      </form>
    </section>
  );
}

export default function MembersPage() {
  const [q, setQ] = useState('');
  const query = useDeferredValue(q.trim());
  const results = useMemberSearch(query);
  const units = useUnits();
  return (
    <>
      <PageHeading title="Member directory">Member directory</PageHeading>
      <div className="field">
        <label htmlFor="member-search">Search by name or member number</label>
        <input id="member-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <ProblemAlert error={results.error} />
      <div aria-live="polite">
        {results.data && !results.data.items.length ? <Empty>No member matches.</Empty> : null}
        {results.data?.items.length ? (
          <div className="table-wrap">
            <table>
              <caption>{query ? `Members matching “${query}”` : 'Members (first 20 by name)'}</caption>
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Name</th>
                  <th scope="col">Unit</th>
                  <th scope="col">Email</th>
                </tr>
              </thead>
              <tbody>
                {results.data.items.map((m) => (
                  <tr key={m.id}>
                    <th scope="row">{m.member_number}</th>
                    <td>{m.full_name}</td>
                    <td>{unitName(units.data, m.unit_id)}</td>
                    <td>{m.email ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
      <ImportForm />
      <AddMember />
    </>
  );
}
