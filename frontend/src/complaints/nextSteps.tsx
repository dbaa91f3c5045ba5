// The steps offered in "Next steps": exactly the actions the API lists in the complaint's
// `allowed_actions`, which are the caller's own (what this caller may do on it now).
import type { ComponentType } from 'react';
import type { Detail } from './api';
import type { Part } from './context';
import { RedirectStep, WithdrawStep } from './steps/intakeSteps';
import { CorrectIntakeStep } from './steps/CorrectIntakeStep';
import { OmbudspersonConflictStep } from './steps/conflictSteps';
import { RecordAttemptStep, ResolveStep } from './steps/informalSteps';
import {
  AttachStep,
  ChooseRouteStep,
  CompleteLetterStep,
  LetterStep,
  NotifyOfficersStep,
  OtherPartyReviewStep,
  ResponseStep,
} from './steps/formalSteps';
import {
  CloseStep,
  DiscloseStep,
  DisclosureStep,
  EntryStep,
  FindingsStep,
  NotSatisfiedStep,
  RecommendationStep,
  TellConclusionsStep,
} from './steps/investigationSteps';

/** What the caller has already done on this complaint. */
export interface Mine {
  conflictDeclared: boolean;
}

interface StepDef {
  Form: ComponentType;
  /** Beyond the stage: whether the step still makes sense on this complaint. */
  when?: (d: Detail, mine: Mine) => boolean;
}

// The steps of the procedure, in the order they are offered.
const STEPS: [string, StepDef][] = [
  ['record_informal_attempt', { Form: RecordAttemptStep }],
  ['resolve_informally', { Form: ResolveStep }],
  ['choose_formal_route', { Form: ChooseRouteStep }],
  ['edit_letter', { Form: LetterStep }],
  ['attach_document', { Form: AttachStep }],
  ['complete_letter', { Form: CompleteLetterStep }],
  ['record_other_party_review', { Form: OtherPartyReviewStep, when: (d) => !d.other_party_reviewed_on }],
  ['record_response', { Form: ResponseStep, when: (d) => !!d.other_party_reviewed_on && !d.response_received_on }],
  ['notify_table_officers', { Form: NotifyOfficersStep, when: (d) => !d.table_officers_notified_on }],
  ['record_investigation', { Form: EntryStep }],
  ['record_findings', { Form: FindingsStep }],
  ['add_recommendation', { Form: RecommendationStep }],
  ['disclose_recommendations', { Form: DiscloseStep }],
  ['tell_conclusions', { Form: TellConclusionsStep }],
  ['close', { Form: CloseStep }],
  ['record_not_satisfied', { Form: NotSatisfiedStep }],
  ['edit_intake', { Form: CorrectIntakeStep }],
  ['declare_ombudsperson_conflict', { Form: OmbudspersonConflictStep, when: (_, mine) => !mine.conflictDeclared }],
  ['redirect', { Form: RedirectStep }],
  ['withdraw', { Form: WithdrawStep }],
  ['record_disclosure', { Form: DisclosureStep }],
];

/**
 * The steps to offer: those `allowed_actions` lists (and that still make sense here). A
 * disclosure (5.1) is not a step of the stage: a CRC member or the intake ombudsperson may
 * record one at any point after intake.
 */
export function offeredSteps(detail: Detail, parts: Set<Part>, mine: Mine): [string, StepDef][] {
  return STEPS.filter(([action, def]) => {
    const listed =
      action === 'record_disclosure'
        ? detail.stage !== 'intake' && (parts.has('crc_member') || parts.has('intake'))
        : detail.allowed_actions.includes(action);
    return listed && (!def.when || def.when(detail, mine));
  });
}

