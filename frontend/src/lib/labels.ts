// The policy's own words for every value the API sends as a code. Each table is checked
// against the generated schema: a new value in the API is a type error here.
import type { Schemas as S } from '../api/client';

const STAGE = {
  intake: 'Intake',
  informal: 'Informal complaint',
  letter: 'Formal: the letter',
  review: 'Formal: review with the other party',
  committee: 'Formal: striking the CRC',
  investigation: 'Formal: investigation',
  conclusions: 'Formal: conclusions',
  closed: 'Closed',
} satisfies Record<S['Stage'], string>;

export const STAGES_IN_ORDER = [
  'intake',
  'informal',
  'letter',
  'review',
  'committee',
  'investigation',
  'conclusions',
  'closed',
] as const;

const CLOSURE = {
  redirected: 'Redirected (out of scope, 1.3)',
  resolved_informally: 'Resolved informally',
  referred_to_charge: 'Referred to a CUPE constitutional charge',
  dismissed: 'Dismissed: harassment not found',
  concluded: 'Concluded: recommendations handed over',
  withdrawn: 'Withdrawn by the member-complainant',
} satisfies Record<S['Closure'], string>;

const SETTING = {
  local_500_event: 'At a Local 500 event',
  acting_for_local_500: 'At an event where the member acts for Local 500',
  workplace: 'In the workplace',
} satisfies Record<S['Setting'], string>;

const REDIRECTION = {
  grievance_procedure: 'The grievance procedure',
  respectful_workplace_policy: "The Employer's Respectful Workplace Policy",
} satisfies Record<S['Redirection'], string>;

const CATEGORY = {
  verbal_abuse: 'Verbal abuse',
  physical_actions: 'Physical actions (touching, pushing)',
  comments: 'Comments (jokes, name calling, bullying)',
  displays: 'Displays (posters, cartoons)',
  abuse_of_power: 'Abuse of power (threats, coercion)',
  other: 'Other',
} satisfies Record<S['Category'], string>;

const DEADLINE_KIND = {
  written_response: "Other party's written response (4.3.1(ii))",
  table_officer_notice: 'Tell the table officers (4.3.1(iii))',
  crc_report: "CRC's report (4.3.1(vi))",
  policy_review: 'Policy review (6)',
  records_destruction: 'Record due for destruction (5.1)',
} satisfies Record<S['DeadlineKind'], string>;

// 5.1: how a record ended decides how long it is kept (docs/retention.md).
const RECORD_CLASS = {
  consultation: 'Consultation (4.1)',
  redirected: 'Complaint redirected (1.3)',
  informal: 'Complaint closed informally',
  withdrawn: 'Complaint withdrawn',
  formal: 'Formal complaint',
} satisfies Record<S['RecordClass'], string>;

const CARRIED_OUT_VIA = {
  scheduled_job: 'The scheduled retention job',
  command_line: 'The command line (ombuds retention run)',
} satisfies Record<S['CarriedOutVia'], string>;

const DEADLINE_STATUS = {
  open: 'Open',
  met: 'Met',
  met_late: 'Met late',
  lapsed: 'Lapsed: the procedure went on without it',
  cancelled: 'Cancelled: no longer owed',
} satisfies Record<S['DeadlineStatus'], string>;

const ROLE = {
  administrator: 'Administrator',
  ombudsperson: 'Ombudsperson',
  table_officer: 'Table officer',
  staff_resource: 'Staff resource',
} satisfies Record<S['Role'], string>;

const STAFF_KIND = {
  special_assignments_officer: 'Special Assignments Officer (Human Rights/Respectful Workplace)',
  equality_representative: 'Equality Representative (Regional Office)',
} satisfies Record<S['StaffResourceKind'], string>;

const PARTY_ROLE = {
  complainant: 'Member-complainant',
  other_party: 'Other party',
  witness: 'Witness',
} satisfies Record<S['PartyRole'], string>;

const ACTION: Record<string, string> = {
  edit_intake: 'Correct the intake',
  redirect: 'Redirect (out of scope)',
  record_informal_attempt: 'Record an informal attempt',
  resolve_informally: 'Close as resolved informally',
  choose_formal_route: 'Go formal: record the route chosen',
  edit_letter: 'Write the letter',
  attach_document: 'Attach a document',
  complete_letter: 'Complete the signed letter',
  record_other_party_review: 'Record the review with the other party',
  record_response: "Record the other party's written response",
  notify_table_officers: 'Tell the table officers',
  declare_officer_conflict: 'Declare a conflict (table officer)',
  declare_ombudsperson_conflict: 'Declare a conflict (ombudsperson)',
  strike_committee: 'Strike the CRC',
  record_investigation: 'Record an investigation step',
  record_findings: 'Record the findings',
  add_recommendation: 'Add a recommendation',
  disclose_recommendations: 'Hand the recommendations to the table officers',
  track_recommendation: 'Track a recommendation',
  tell_conclusions: 'Record a party told the conclusions',
  record_not_satisfied: 'Record the member-complainant not satisfied',
  record_party_notice: 'Record a party told of a stage',
  close: 'Close the complaint',
  withdraw: 'Withdraw the complaint',
};

const INFORMAL_METHOD = {
  facilitated_meeting: 'Facilitated meeting of both parties (4.2.1(i))',
  shuttle_discussion: 'Shuttle discussion (4.2.1(ii))',
  other_agreed_method: 'Another method both parties agree to (4.2.1(iii))',
} satisfies Record<S['InformalMethod'], string>;

const INFORMAL_OUTCOME = {
  pending: 'Pending',
  resolved: 'Resolved',
  refused: 'Refused by the other party',
  failed: 'Failed',
} satisfies Record<S['InformalOutcome'], string>;

const FORMAL_ROUTE = {
  cupe_constitutional_charge: 'A CUPE constitutional charge (Article B.VI)',
  local_500_procedure: 'This Local 500 procedure',
} satisfies Record<S['FormalRoute'], string>;

const EXCLUSION = {
  took_part_informally: 'Took part in an informal attempt',
  party_or_witness: 'Is a party or a witness',
  declared_conflict: 'Declared a conflict',
  intake_ombudsperson: 'Took the complaint in',
  inactive: 'Inactive',
  untrained: 'No comprehensive training',
  no_current_seat: 'Holds no seat today',
} satisfies Record<S['ExclusionReason'], string>;

const INVESTIGATION_KIND = {
  letter_review: 'Review of the letter',
  response_review: 'Review of the response',
  complainant_interview: 'Interview of the member-complainant',
  other_party_interview: 'Interview of the other party',
  witness_interview: 'Interview of a witness',
  document: 'Document',
} satisfies Record<S['InvestigationKind'], string>;

const FINDING = {
  harassment_found: 'Harassment found',
  harassment_not_found: 'Harassment not found (dismissed)',
} satisfies Record<S['Finding'], string>;

const RECOMMENDATION_KIND = {
  apology: 'An apology',
  counselling: 'Counselling',
  training_or_education: 'Training or education',
  other: 'Another remedy',
} satisfies Record<S['RecommendationKind'], string>;

const RECOMMENDATION_STATUS = {
  pending: 'Pending',
  implemented: 'Implemented',
  declined: 'Declined',
} satisfies Record<S['RecommendationStatus'], string>;

const NOTICE_METHOD = {
  in_person: 'In person',
  phone: 'By phone',
  email: 'By email',
  letter: 'By letter',
  portal: 'In the portal',
} satisfies Record<S['NoticeMethod'], string>;

const DISCLOSURE_PURPOSE = {
  investigation: 'Investigation',
  corrective_action: 'Corrective action',
  required_by_law: 'Required by law',
} satisfies Record<S['DisclosurePurpose'], string>;

const RESPONSE_FLAG = {
  awaiting: 'Awaiting the response',
  received_on_time: 'Received on time',
  received_late: 'Received late',
  missing: 'Missing: the due date has passed',
} satisfies Record<S['ResponseFlag'], string>;

const TIMELINE: Record<string, string> = {
  'complaint.received': 'Complaint received',
  'complaint.intake_updated': 'Intake corrected',
  'informal.attempt_recorded': 'Informal attempt recorded',
  'informal.attempt_updated': 'Informal attempt updated',
  'letter.saved': 'Letter saved',
  'attachment.added': 'Document attached',
  'response.requested': 'Review with the other party; written response requested',
  'response.recorded': 'Written response recorded',
  'committee.proposed': 'CRC panel proposed',
  'committee.seat_redrawn': 'CRC seat redrawn',
  'committee.confirmed': 'CRC struck',
  'officer.conflict_declared': 'A table officer declared a conflict',
  'ombudsperson.conflict_declared': 'An ombudsperson declared a conflict',
  'investigation.entry_recorded': 'Investigation step recorded',
  'recommendation.added': 'Recommendation added',
  'recommendations.disclosed': 'Recommendations handed to the table officers',
  'disclosure.recorded': 'Disclosure recorded',
  'party_notice.told': 'A party was told of a stage',
  'conclusions.told_complainant': 'Member-complainant told the conclusions',
  'conclusions.told_other_party': 'Other party told the conclusions',
  'conclusions.not_satisfied': 'Member-complainant not satisfied: referred to a charge',
};

function humanise(code: string): string {
  const text = code.replace(/[._]/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lookup(table: Record<string, string>) {
  return (code: string | null | undefined): string => (code ? (table[code] ?? humanise(code)) : '—');
}

function keys<K extends string>(table: Record<K, string>): K[] {
  return Object.keys(table) as K[];
}

export const stageLabel = lookup(STAGE);
export const closureLabel = lookup(CLOSURE);
export const settingLabel = lookup(SETTING);
export const redirectionLabel = lookup(REDIRECTION);
export const categoryLabel = lookup(CATEGORY);
export const deadlineKindLabel = lookup(DEADLINE_KIND);
export const deadlineStatusLabel = lookup(DEADLINE_STATUS);
export const roleLabel = lookup(ROLE);
export const staffKindLabel = lookup(STAFF_KIND);
export const partyRoleLabel = lookup(PARTY_ROLE);
export const actionLabel = lookup(ACTION);
export const informalMethodLabel = lookup(INFORMAL_METHOD);
export const informalOutcomeLabel = lookup(INFORMAL_OUTCOME);
export const formalRouteLabel = lookup(FORMAL_ROUTE);
export const exclusionLabel = lookup(EXCLUSION);
export const investigationKindLabel = lookup(INVESTIGATION_KIND);
export const findingLabel = lookup(FINDING);
export const recommendationKindLabel = lookup(RECOMMENDATION_KIND);
export const recommendationStatusLabel = lookup(RECOMMENDATION_STATUS);
export const noticeMethodLabel = lookup(NOTICE_METHOD);
export const disclosurePurposeLabel = lookup(DISCLOSURE_PURPOSE);
export const responseFlagLabel = lookup(RESPONSE_FLAG);
export const recordClassLabel = lookup(RECORD_CLASS);
export const carriedOutViaLabel = lookup(CARRIED_OUT_VIA);

export function timelineLabel(kind: string): string {
  if (kind.startsWith('stage.')) return `Stage: ${stageLabel(kind.slice('stage.'.length))}`;
  if (kind.startsWith('recommendation.')) return `Recommendation ${kind.slice(15).replace(/_/g, ' ')}`;
  return TIMELINE[kind] ?? humanise(kind);
}

export const CATEGORIES = keys(CATEGORY);
export const ROLES = keys(ROLE);
export const STAFF_KINDS = keys(STAFF_KIND);
export const INFORMAL_METHODS = keys(INFORMAL_METHOD);
export const INFORMAL_OUTCOMES = keys(INFORMAL_OUTCOME);
export const INVESTIGATION_KINDS = keys(INVESTIGATION_KIND);
export const RECOMMENDATION_KINDS = keys(RECOMMENDATION_KIND);
// The ways staff record telling a party; "in the portal" is recorded by the party opening
// the notice there (issue 16), never chosen by staff.
export const NOTICE_METHODS = keys(NOTICE_METHOD).filter((m) => m !== 'portal');
export const DISCLOSURE_PURPOSES = keys(DISCLOSURE_PURPOSE);

// 4.3.1(i): the parts of the signed letter, as the letter's `missing` names them.
const LETTER_PARTS: Record<string, string> = {
  what_took_place: 'what took place',
  when_it_took_place: 'when',
  occurred_at: 'the date and time',
  witnesses: 'witnesses',
  resolution_sought: 'the resolution sought',
  signed_on: 'the signature',
};

/** The missing parts of the letter in words: "what took place, witnesses and the signature". */
export function letterPartsInWords(parts: readonly string[]): string {
  const words = parts.map((p) => LETTER_PARTS[p] ?? p.replace(/_/g, ' '));
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
