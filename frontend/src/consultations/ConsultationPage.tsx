import { Link, useLocation, useParams } from 'react-router';
import { Loading, Notice, PageHeading, ProblemAlert } from '../components/feedback';
import { unitName, useUnits } from '../directory/api';
import { formatDate, formatDateTime } from '../lib/dates';
import { useConsultation } from './api';
import { RecordRetentionSection } from '../retention/RecordRetentionSection';

export interface FromConsultation {
  id: string;
  heldOn: string;
  memberId: string | null;
  fullName: string;
  unitId: string | null;
}

export default function ConsultationPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  const recorded = (location.state as { recorded?: boolean } | null)?.recorded;
  const consultation = useConsultation(id);
  const units = useUnits();
  const c = consultation.data;
  if (consultation.isPending) return <Loading what="the consultation" />;
  if (!c) {
    return (
      <>
        <PageHeading title="Consultation">Consultation</PageHeading>
        <ProblemAlert error={consultation.error} />
        <p>
          <Link to="/consultations">Back to your consultations</Link>
        </p>
      </>
    );
  }
  const from: FromConsultation = { id: c.id, heldOn: c.held_on, memberId: c.member_id, fullName: c.full_name, unitId: c.unit_id };
  return (
    <>
      <PageHeading title="Consultation">Consultation of {formatDate(c.held_on)}</PageHeading>
      {recorded ? <Notice tone="success">The consultation was recorded.</Notice> : null}
      <p>
        <Link to="/consultations">Back to your consultations</Link>
      </p>
      <section className="panel" aria-labelledby="consultation">
        <h2 id="consultation">The consultation (4.1)</h2>
        <dl className="facts">
          <dt>Member</dt>
          <dd>
            {c.full_name}
            {c.member_id ? ` (${unitName(units.data, c.unit_id)})` : ' (outside the directory)'}
          </dd>
          <dt>Held on</dt>
          <dd>{formatDate(c.held_on)}</dd>
          <dt>Told of other routes (1.4)</dt>
          <dd>{c.other_routes_told ? 'Yes' : 'No'}</dd>
          <dt>Notes</dt>
          <dd className="pre">{c.notes}</dd>
          <dt>Recorded</dt>
          <dd>{formatDateTime(c.created_at)}</dd>
          <dt>Became a complaint</dt>
          <dd>{c.complaint_id ? <Link to={`/complaints/${c.complaint_id}`}>Yes: open the complaint</Link> : 'No'}</dd>
        </dl>
      </section>
      {!c.became_complaint ? (
        <section className="panel" aria-labelledby="go-on">
          <h2 id="go-on">If the member chooses a complaint</h2>
          <p>The member chooses an informal or a formal complaint (4.1). Taking it in from here links it to this consultation.</p>
          <Link className="button" to="/complaints/new" state={{ consultation: from }}>
            Take in a complaint from this consultation
          </Link>
        </section>
      ) : null}
      {!c.became_complaint ? <RecordRetentionSection type="consultation" id={c.id} canHold /> : null}
    </>
  );
}
