// Every word the notification screens show, in one place (the later bilingual pass
// translates this module). Each table is checked against the generated schema: a new kind
// in the API is a type error here.
import type { Schemas as S } from '../api/client';

/** What needs the person: the kind of thing, never a name or a circumstance. */
const KIND = {
  response_approaching: 'A written response is due soon (4.3.1(ii))',
  response_due_today: 'A written response is due today (4.3.1(ii))',
  response_lapsed: 'A written response was not received in time (4.3.1(ii))',
  response_recorded: 'A written response was recorded (4.3.1(ii))',
  officer_notice_approaching: 'The table officers must be told soon (4.3.1(iii))',
  officer_notice_due_today: 'The table officers must be told today (4.3.1(iii))',
  officer_notice_lapsed: 'The table officers were not told in time (4.3.1(iii))',
  party_notices_owed: 'Notices to the parties are still owed (4.3.1(vii))',
  destruction_approaching: 'A record is due for destruction (5.1)',
  complainant_not_satisfied: 'A member-complainant is not satisfied with the conclusions (4.3.1(x))',
  committee_to_strike: 'A Complaint Review Committee must be struck (4.3.1(v))',
  panel_conflict_declared: 'A committee seat needs to be filled again (4.3.1(v))',
  recommendations_disclosed: 'Recommendations were handed over for implementation (4.3.1(viii))',
  policy_review_approaching: 'The policy review is coming up (6)',
  committee_appointed: 'You were appointed to a Complaint Review Committee (4.3.1(v))',
  report_approaching: "The committee's report is due soon (4.3.1(vi))",
  report_lapsed: "The committee's report is overdue (4.3.1(vi))",
  witness_availability: 'A witness gave their availability (4.3.1(vi))',
  portal_message_received: 'A party sent a message through the portal',
} satisfies Record<S['NotificationKind'], string>;

const DELIVERY = {
  none: 'In the app only (no e-mail address)',
  pending: 'E-mail waiting to be sent',
  sent: 'E-mail sent',
  failed: 'E-mail could not be delivered',
} satisfies Record<S['Delivery'], string>;

const MODE = {
  immediate: 'One e-mail for each notification, as it happens',
  digest: 'One e-mail a day with everything since the last one',
} satisfies Record<S['DeliveryMode'], string>;

const LANGUAGE = { en: 'English', fr: 'Français' } as const;

export function kindLabel(kind: S['NotificationKind']): string {
  return KIND[kind];
}

export function deliveryLabel(delivery: S['Delivery']): string {
  return DELIVERY[delivery];
}

export function modeLabel(mode: S['DeliveryMode']): string {
  return MODE[mode];
}

export const LANGUAGES = Object.entries(LANGUAGE).map(([value, label]) => ({ value: value as 'en' | 'fr', label }));

export const T = {
  bell: 'Notifications',
  bellUnread: (n: number) => (n === 1 ? '1 unread' : `${n} unread`),
  pageTitle: 'Notifications',
  pageIntro:
    'What needs you in the procedure: the kind of thing and its date, and the case reference while you may see the complaint. Never a name or what happened: open the complaint to read it.',
  listHeading: 'Your notifications',
  loadingList: 'your notifications',
  empty: 'You have no notifications.',
  caption: (n: number, unread: number) => `${n} notification${n === 1 ? '' : 's'}, newest first, ${unread} unread`,
  colWhat: 'What',
  colDue: 'Due',
  colCase: 'Case',
  colWhen: 'Written',
  colEmail: 'E-mail',
  colRead: 'Read',
  noCase: '—',
  unreadMark: 'Unread',
  markRead: 'Mark read',
  markReadOf: (what: string) => `Mark read: ${what}`,
  readOn: (when: string) => `Read ${when}`,
  markAllRead: 'Mark all read',
  allMarked: (n: number) => (n === 1 ? '1 notification marked read.' : `${n} notifications marked read.`),
  showOlder: 'Show older notifications',
  failedHelp:
    'Some e-mails could not be delivered. Check your e-mail address under “Your choices” below; an administrator has been shown the failure and can send it again. Everything is also listed here.',
  failedCell: 'Not delivered: check your address below',
  prefsHeading: 'Your choices',
  prefsIntro:
    'How you are told by e-mail. The kinds the policy makes yours to act on are always on; the others you may turn off.',
  loadingPrefs: 'your choices',
  modeLegend: 'E-mail',
  kindsLegend: 'What you are told about',
  kindsHint: 'Kinds marked “always on” are the ones the policy makes yours to act on; they cannot be turned off.',
  alwaysOn: 'always on',
  emailLabel: 'E-mail address',
  emailHint: 'Where your notifications are sent. Leave it empty to be told in the app only.',
  languageLabel: 'Language of the app and its messages',
  save: 'Save my choices',
  saved: 'Your choices were saved.',
  stale: 'Your choices were changed elsewhere (another window?) since you opened them. Nothing was saved: reload them, then apply your change again.',
  reload: 'Reload my choices',
  failedTitle: 'Failed deliveries',
  failedIntro:
    'E-mails that every attempt failed to deliver: who, what kind and when, never the case. Check the person’s address (Users), or the mail settings, then send it again.',
  loadingFailed: 'the failed deliveries',
  failedEmpty: 'No e-mail has failed.',
  failedCaption: (n: number) => `${n} failed deliver${n === 1 ? 'y' : 'ies'}, newest first`,
  colWho: 'Who',
  colKind: 'Kind',
  colAttempts: 'Attempts',
  colError: 'Last error',
  colWritten: 'Written',
  colRetry: 'Send again',
  retry: 'Retry',
  retryOf: (who: string) => `Retry the e-mail to ${who}`,
  retried: (who: string) => `The e-mail to ${who} is queued to be sent again.`,
  unknownError: 'unknown',
} as const;
