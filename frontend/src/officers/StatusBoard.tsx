import { useState } from 'react';
import { Link } from 'react-router';
import { Empty, Loading, PageHeading, ProblemAlert } from '../components/feedback';
import { stageLabel } from '../lib/labels';
import { DeadlineStatus, DueDate } from '../complaints/Deadline';
import { useBoard } from './api';

export default function StatusBoard() {
  const [includeClosed, setIncludeClosed] = useState(false);
  const board = useBoard(includeClosed);
  const items = board.data?.items ?? [];
  return (
    <>
      <PageHeading title="Status board">Status board</PageHeading>
      <p>
        Complaints the table officers were told of, by case reference only (4.3.1(iv)): where each stands and its deadlines.
        No names or details are shown to table officers.
      </p>
      <div className="field choice">
        <input id="board-closed" type="checkbox" checked={includeClosed} onChange={(e) => setIncludeClosed(e.target.checked)} />
        <label htmlFor="board-closed"> Show closed complaints too</label>
      </div>
      <ProblemAlert error={board.error} />
      {board.isPending ? <Loading what="the status board" /> : null}
      {board.data && !items.length ? <Empty>No complaint needs the table officers.</Empty> : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption>Complaints by reference</caption>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Stage</th>
                <th scope="col">Awaiting</th>
                <th scope="col">CRC</th>
                <th scope="col">Deadlines</th>
                <th scope="col">Officers recused</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <Link to={`/status/${s.id}`}>{s.reference}</Link>
                  </th>
                  <td>{stageLabel(s.stage)}</td>
                  <td>{s.awaiting}</td>
                  <td>{s.crc_to_be_struck ? <span className="badge badge-overdue">To be struck</span> : '—'}</td>
                  <td>
                    {s.deadlines.length ? (
                      <ul>
                        {s.deadlines.map((d) => (
                          <li key={`${d.kind}-${d.due_on}`}>
                            <DueDate kind={d.kind} dueOn={d.due_on} overdue={false} /> <DeadlineStatus status={d.status} overdue={d.overdue} />
                          </li>
                        ))}
                      </ul>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{s.recused_officers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
