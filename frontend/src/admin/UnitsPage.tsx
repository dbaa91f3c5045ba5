import { useState, type FormEvent } from 'react';
import { TextField } from '../components/forms';
import { Empty, Loading, Notice, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { useCreateUnit, useUnits } from './api';

export default function UnitsPage() {
  const units = useUnits();
  const create = useCreateUnit();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [affiliates, setAffiliates] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const errors = fieldErrorsOf(create.error);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setCreated(null);
    const unit = await create.mutateAsync({ code, name, is_affiliates: affiliates });
    setCreated(`${unit.code} · ${unit.name}`);
    setCode('');
    setName('');
    setAffiliates(false);
  }
  return (
    <>
      <PageHeading title="Units">Units</PageHeading>
      <p>Each Unit, and the affiliates group, has one ombudsperson seat on the roster (3.1).</p>
      <ProblemAlert error={units.error} />
      {units.isPending ? <Loading what="Units" /> : null}
      {units.data && !units.data.length ? <Empty>No Units yet.</Empty> : null}
      {units.data?.length ? (
        <table>
          <caption>Units and the affiliates group</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
            </tr>
          </thead>
          <tbody>
            {units.data.map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.code}</th>
                <td>{u.name}</td>
                <td>{u.is_affiliates ? 'Affiliates group' : 'Unit'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <section aria-labelledby="add-unit" className="panel">
        <h2 id="add-unit">Add a Unit</h2>
        {created ? <Notice tone="success">Unit {created} was added, with its seat on the roster.</Notice> : null}
        <ProblemAlert error={create.error} />
        <form onSubmit={(e) => void submit(e).catch(() => undefined)}>
          <div className="grid-2">
            <TextField label="Code" value={code} onChange={(e) => setCode(e.target.value)} error={errors.code} required hint="Letters, digits or dashes, e.g. U6" />
            <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} required />
          </div>
          <div className="field choice">
            <input id="unit-affiliates" type="checkbox" checked={affiliates} onChange={(e) => setAffiliates(e.target.checked)} />
            <label htmlFor="unit-affiliates"> This is the affiliates group</label>
          </div>
          <button type="submit" disabled={create.isPending}>
            Add the Unit
          </button>
        </form>
      </section>
    </>
  );
}
