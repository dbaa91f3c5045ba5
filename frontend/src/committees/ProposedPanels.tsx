import { useState } from 'react';
import { Notice, ProblemAlert } from '../components/feedback';
import { formatDateTime } from '../lib/dates';
import { useDeclareWhenDrawn, useMyProposals, type ProposedPanel } from './api';

function Declare({ panel }: { panel: ProposedPanel }) {
  const [confirming, setConfirming] = useState(false);
  const m = useDeclareWhenDrawn();
  if (panel.conflict_declared) return <span className="badge badge-muted">Conflict declared</span>;
  return (
    <>
      <ProblemAlert error={m.error} onReload={() => m.reset()} />
      {confirming ? (
        <div className="actions" role="group" aria-label={`Declare a conflict on ${panel.reference}?`}>
          <button type="button" className="danger" disabled={m.isPending} onClick={() => m.mutate(panel)}>
            Yes, declare my conflict on {panel.reference}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirming(true)} aria-label={`Declare a conflict on ${panel.reference}`}>
          Declare a conflict
        </button>
      )}
    </>
  );
}

/** 4.3.1(v): the proposed panels the ombudsperson is drawn on, to declare a conflict. */
export default function ProposedPanels() {
  const list = useMyProposals(true);
  const items = list.data?.items ?? [];
  if (!list.error && !items.length) return null;
  return (
    <section className="panel" aria-labelledby="proposed-panels">
      <h2 id="proposed-panels">Proposed for a Complaint Review Committee</h2>
      <p>
        The table officers have drawn you for these panels; they are not yet confirmed. If you have a conflict on one,
        declare it: the officers see only that your seat is not eligible, and draw another ombudsperson. You see the case
        reference only.
      </p>
      <ProblemAlert error={list.error} />
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption>
              {items.length} proposed panel{items.length === 1 ? '' : 's'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Proposed</th>
                <th scope="col">Conflict</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.complaint_id}>
                  <th scope="row">{p.reference}</th>
                  <td>{formatDateTime(p.proposed_at)}</td>
                  <td>
                    <Declare panel={p} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {items.some((p) => p.conflict_declared) ? (
        <Notice>Where you declared a conflict, the officers will redraw your seat before they confirm the panel.</Notice>
      ) : null}
    </section>
  );
}
