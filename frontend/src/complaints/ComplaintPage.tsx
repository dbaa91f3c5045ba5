import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Loading, Notice, PageHeading, ProblemAlert } from '../components/feedback';
import { useSession } from '../auth/session';
import { STAGES_IN_ORDER, actionLabel, closureLabel, stageLabel } from '../lib/labels';
import { formatDateTime } from '../lib/dates';
import { useComplaint, useTimeline, type Detail } from './api';
import { ComplaintProvider, type ComplaintCtx, type Part } from './context';
import { useCommittee } from './procedure';
import { Deadlines, Facts, PeopleAndIncidents, Stepper, Timeline } from './sections/overview';
import {
  CommitteeSection,
  ConclusionsSection,
  InformalSection,
  InvestigationSection,
  LetterSection,
  PartyNoticesSection,
  ResponseSection,
} from './sections/procedure';
import { offeredSteps, type Mine } from './nextSteps';
import { DestroyedRecord, isDestroyed } from '../retention/DestroyedRecord';
import { RecordRetentionSection } from '../retention/RecordRetentionSection';

function reached(stage: string, at: string): boolean {
  const order = STAGES_IN_ORDER as readonly string[];
  return order.indexOf(stage) >= order.indexOf(at);
}

interface Change {
  before: Detail;
}

function WhatChanged({ change, now, onDismiss }: { change: Change; now: Detail; onDismiss(): void }) {
  const b = change.before;
  const lines: string[] = [];
  if (b.stage !== now.stage) lines.push(`Stage: ${stageLabel(b.stage)} → ${stageLabel(now.stage)}`);
  if (b.closure !== now.closure) lines.push(`Closure: ${closureLabel(now.closure)}`);
  const labels: Partial<Record<keyof Detail, string>> = {
    resolution_sought: 'Resolution sought',
    grounds: 'Grounds',
    people: 'Parties or witnesses',
    incidents: 'Incidents',
    formal_route: 'Formal route',
    other_party_reviewed_on: 'Review with the other party',
    response_received_on: 'Written response',
    table_officers_notified_on: 'Table officers told',
    deadlines: 'Deadlines',
  };
  for (const [k, label] of Object.entries(labels)) {
    const key = k as keyof Detail;
    if (JSON.stringify(b[key]) !== JSON.stringify(now[key])) lines.push(`${label} changed`);
  }
  return (
    <Notice tone="warning">
      <h2>What changed since you opened it</h2>
      <p>
        Version {b.version} → {now.version} (last change {formatDateTime(now.updated_at)}). See the timeline for every step.
      </p>
      <ul>{lines.length ? lines.map((l) => <li key={l}>{l}</li>) : <li>Records attached to the complaint (see the sections and the timeline)</li>}</ul>
      <p>What you typed is still in its form: check it against the changes, then apply it again.</p>
      <button type="button" className="secondary" onClick={onDismiss}>
        Dismiss
      </button>
    </Notice>
  );
}

export default function ComplaintPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  const { me } = useSession();
  const complaint = useComplaint(id);
  const committee = useCommittee(id, !!complaint.data);
  const timeline = useTimeline(id);
  const qc = useQueryClient();
  const [open, setOpen] = useState<string | null>(null);
  const [change, setChange] = useState<Change | null>(null);
  const stepsRef = useRef<HTMLElement>(null);
  const filed = (location.state as { filed?: boolean } | null)?.filed;

  const detail = complaint.data?.data;
  const parts = useMemo(() => {
    const held = new Set<Part>();
    if (!me) return held;
    const c = committee.data;
    const onCommittee = !!c?.members.some((m) => m.user_id === me.id);
    if (onCommittee) held.add('crc_member');
    if (c?.staff_resource?.user_id === me.id) held.add('staff_resource');
    // Anyone else who reads the complaint as an ombudsperson took it in or took part
    // informally (complaints/access.py): they handle it.
    if (!onCommittee && me.roles.includes('ombudsperson')) {
      held.add('handler');
      held.add('intake');
    }
    return held;
  }, [me, committee.data]);

  useEffect(() => {
    if (open) stepsRef.current?.querySelector<HTMLElement>('form input, form textarea, form select, form button')?.focus();
  }, [open]);

  if (complaint.isPending) return <Loading what="the complaint" />;
  if (isDestroyed(complaint.error)) return <DestroyedRecord id={id} error={complaint.error} />;
  if (complaint.error || !detail) {
    return (
      <>
        <PageHeading title="Complaint">Complaint</PageHeading>
        <ProblemAlert error={complaint.error} />
        <p>
          <Link to="/complaints">Back to your complaints</Link>
        </p>
      </>
    );
  }

  const ctx: ComplaintCtx = {
    id,
    detail,
    parts,
    refreshing: complaint.isFetching,
    reload: () => {
      setChange({ before: detail });
      void qc.invalidateQueries({ queryKey: ['complaint', id] });
    },
    closeStep: () => setOpen(null),
  };
  const mine: Mine = {
    conflictDeclared: !!timeline.data?.some((e) => e.kind === 'ombudsperson.conflict_declared' && e.actor_id === me?.id),
  };
  const offered = offeredSteps(detail, parts, mine);
  const OpenForm = offered.find(([a]) => a === open)?.[1].Form;
  const stage = detail.stage;
  const formal = detail.formal_route === 'local_500_procedure';

  return (
    <ComplaintProvider value={ctx}>
      <PageHeading title={`Complaint ${detail.reference}`}>Complaint {detail.reference}</PageHeading>
      {filed ? <Notice tone="success">The complaint was filed as {detail.reference}.</Notice> : null}
      <Stepper stage={stage} />
      {change ? <WhatChanged change={change} now={detail} onDismiss={() => setChange(null)} /> : null}
      <section className="panel" aria-labelledby="next-steps" ref={stepsRef}>
        <h2 id="next-steps">Next steps</h2>
        {offered.length ? (
          <>
            <p className="hint">The steps you may take now, at the stage “{stageLabel(stage)}”.</p>
            <div className="actions">
              {offered.map(([action]) => (
                <button key={action} type="button" className={open === action ? undefined : 'secondary'} aria-pressed={open === action} onClick={() => setOpen((current) => (current === action ? null : action))}>
                  {action === 'record_disclosure' ? 'Record a disclosure (5.1)' : actionLabel(action)}
                </button>
              ))}
            </div>
          </>
        ) : (
          <p>{stage === 'closed' ? 'The complaint is closed.' : 'No step is yours to take at this stage.'}</p>
        )}
        {mine.conflictDeclared ? (
          <p className="muted">You declared a conflict on this complaint: you will never sit on its Complaint Review Committee (4.3.1(v)).</p>
        ) : null}
        {OpenForm ? <OpenForm key={open} /> : null}
      </section>
      <div className="grid-2">
        <Facts d={detail} />
        <Deadlines d={detail} />
      </div>
      <PeopleAndIncidents d={detail} />
      <RecordRetentionSection type="complaint" id={id} canHold={parts.has('handler')} />
      {reached(stage, 'informal') || stage === 'intake' ? <InformalSection /> : null}
      {formal ? <LetterSection /> : null}
      {formal && reached(stage, 'review') ? <ResponseSection /> : null}
      {formal && reached(stage, 'review') ? <CommitteeSection /> : null}
      {formal && reached(stage, 'investigation') ? <InvestigationSection /> : null}
      {formal && reached(stage, 'conclusions') ? <ConclusionsSection /> : null}
      {formal && reached(stage, 'review') ? <PartyNoticesSection /> : null}
      <Timeline id={id} />
    </ComplaintProvider>
  );
}
