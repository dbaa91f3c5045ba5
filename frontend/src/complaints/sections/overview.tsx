import { formatDate, formatDateTime } from '../../lib/dates';
import {
  STAGES_IN_ORDER,
  categoryLabel,
  closureLabel,
  deadlineKindLabel,
  formalRouteLabel,
  partyRoleLabel,
  redirectionLabel,
  settingLabel,
  stageLabel,
  timelineLabel,
} from '../../lib/labels';
import { Empty, Loading } from '../../components/feedback';
import { useGrounds, useTimeline, type Detail } from '../api';
import { DeadlineStatus, DueDate } from '../Deadline';

export function Stepper({ stage }: { stage: string }) {
  const at = STAGES_IN_ORDER.indexOf(stage as (typeof STAGES_IN_ORDER)[number]);
  return (
    <ol className="stepper" aria-label="Stages of the procedure">
      {STAGES_IN_ORDER.map((s, i) => (
        <li key={s} className={i < at ? 'done' : undefined} aria-current={i === at ? 'step' : undefined}>
          {stageLabel(s)}
        </li>
      ))}
    </ol>
  );
}

export function Facts({ d }: { d: Detail }) {
  return (
    <section className="panel" aria-labelledby="facts">
      <h2 id="facts">Where it stands</h2>
      <dl className="facts">
        <dt>Stage</dt>
        <dd>{stageLabel(d.stage)}</dd>
        {d.closure ? (
          <>
            <dt>Closed</dt>
            <dd>
              {closureLabel(d.closure)} on {formatDate(d.closed_on)}
            </dd>
          </>
        ) : null}
        <dt>Received</dt>
        <dd>{formatDate(d.received_on)}</dd>
        <dt>Where (1.3)</dt>
        <dd>{settingLabel(d.setting)}</dd>
        {d.redirected_to ? (
          <>
            <dt>Redirected to</dt>
            <dd>{redirectionLabel(d.redirected_to)}</dd>
          </>
        ) : null}
        <dt>Told of other routes (1.4)</dt>
        <dd>{d.other_routes_told_on ? formatDate(d.other_routes_told_on) : 'Not recorded'}</dd>
        {d.formal_route ? (
          <>
            <dt>Formal route</dt>
            <dd>
              {formalRouteLabel(d.formal_route)}, chosen {formatDate(d.formal_route_chosen_on)}
            </dd>
          </>
        ) : null}
        {d.other_party_reviewed_on ? (
          <>
            <dt>Reviewed with the other party</dt>
            <dd>{formatDate(d.other_party_reviewed_on)}</dd>
          </>
        ) : null}
        {d.table_officers_notified_on ? (
          <>
            <dt>Table officers told</dt>
            <dd>{formatDate(d.table_officers_notified_on)}</dd>
          </>
        ) : null}
        <dt>Last change</dt>
        <dd>{formatDateTime(d.updated_at)}</dd>
      </dl>
    </section>
  );
}

export function Deadlines({ d }: { d: Detail }) {
  return (
    <section className="panel" aria-labelledby="deadlines">
      <h2 id="deadlines">Deadlines</h2>
      {d.deadlines.length ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Deadlines of this complaint</caption>
            <thead>
              <tr>
                <th scope="col">Deadline</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col">How it was computed</th>
              </tr>
            </thead>
            <tbody>
              {d.deadlines.map((x) => (
                <tr key={x.id}>
                  <th scope="row">{deadlineKindLabel(x.kind)}</th>
                  <td>
                    <DueDate dueOn={x.due_on} overdue={false} />
                  </td>
                  <td>
                    <DeadlineStatus status={x.status} overdue={x.overdue} />
                    {x.satisfied_on ? ` on ${formatDate(x.satisfied_on)}` : ''}
                  </td>
                  <td>{x.explanation}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>No deadline yet.</Empty>
      )}
    </section>
  );
}

export function PeopleAndIncidents({ d }: { d: Detail }) {
  const grounds = useGrounds();
  return (
    <section className="panel" aria-labelledby="people">
      <h2 id="people">Parties, witnesses and incidents</h2>
      <ul>
        {d.people.map((p) => (
          <li key={p.id}>
            <strong>{partyRoleLabel(p.role)}:</strong> {p.full_name}
            {p.member_id ? '' : ' (outside the directory)'}
            {p.contact ? <span className="muted"> · {p.contact}</span> : null}
          </li>
        ))}
      </ul>
      <h3>Incidents</h3>
      <ol>
        {d.incidents.map((i) => (
          <li key={i.id}>
            <p>
              <strong>
                {formatDate(i.occurred_on)}
                {i.occurred_at ? `, ${i.occurred_at.slice(0, 5)}` : ''}
              </strong>{' '}
              at {i.location}. <em>{i.categories.map(categoryLabel).join(', ')}</em>
            </p>
            <p className="pre">{i.what}</p>
          </li>
        ))}
      </ol>
      <h3>Grounds (2.2)</h3>
      <p>{d.grounds.length ? d.grounds.map((g) => grounds.data?.find((x) => x.code === g)?.label ?? g).join(', ') : 'None recorded'}</p>
      <h3>Resolution sought</h3>
      <p className="pre">{d.resolution_sought}</p>
    </section>
  );
}

export function Timeline({ id }: { id: string }) {
  const timeline = useTimeline(id);
  return (
    <section className="panel" aria-labelledby="timeline">
      <h2 id="timeline">Timeline</h2>
      {timeline.isPending ? <Loading what="the timeline" /> : null}
      {timeline.data?.length ? (
        <ol className="timeline">
          {timeline.data.map((e, i) => (
            <li key={`${e.at}-${i}`}>
              <time dateTime={e.at}>{formatDateTime(e.at)}</time>: {timelineLabel(e.kind)}{' '}
              <span className="muted">(stage: {stageLabel(e.stage)})</span>
            </li>
          ))}
        </ol>
      ) : timeline.data ? (
        <Empty>Nothing yet.</Empty>
      ) : null}
    </section>
  );
}
