import { lazy, type ReactNode } from 'react';
import { Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import SignIn from './auth/SignIn';
import { Home, RequireAuth, RequireRole } from './auth/guards';
import { SECOND_FACTOR_PATH, type Role } from './auth/session';
import { PageHeading } from './components/feedback';

// Each screen is its own chunk, fetched when first visited: the sign-in screen is all
// that the first load carries.
const Dashboard = lazy(() => import('./complaints/Dashboard'));
const Intake = lazy(() => import('./complaints/intake/IntakePage'));
const ComplaintPage = lazy(() => import('./complaints/ComplaintPage'));
const StatusBoard = lazy(() => import('./officers/StatusBoard'));
const StatusPage = lazy(() => import('./officers/StatusPage'));
const Users = lazy(() => import('./admin/UsersPage'));
const Units = lazy(() => import('./admin/UnitsPage'));
const Roster = lazy(() => import('./admin/RosterPage'));
const Members = lazy(() => import('./admin/MembersPage'));
const Integrations = lazy(() => import('./admin/IntegrationsPage'));
const Audit = lazy(() => import('./admin/AuditPage'));
const Calendar = lazy(() => import('./calendar/CalendarPage'));
const Disclosures = lazy(() => import('./admin/DisclosuresPage'));
const PolicyReview = lazy(() => import('./policy/PolicyReviewPage'));
const SecondFactor = lazy(() => import('./account/SecondFactorPage'));
const Consultations = lazy(() => import('./consultations/ConsultationsPage'));
const Consultation = lazy(() => import('./consultations/ConsultationPage'));
const Retention = lazy(() => import('./admin/RetentionPage'));
const Statistics = lazy(() => import('./statistics/StatisticsPage'));
const Notifications = lazy(() => import('./notifications/NotificationsPage'));
const FailedDeliveries = lazy(() => import('./notifications/FailedDeliveriesPage'));

function Protected({ roles, children }: { roles: Role[]; children: ReactNode }) {
  return (
    <RequireAuth>
      <RequireRole roles={roles}>{children}</RequireRole>
    </RequireAuth>
  );
}

function NotFound() {
  return (
    <>
      <PageHeading title="Not found">Page not found</PageHeading>
      <p>There is no such page. Use the menu to go on.</p>
    </>
  );
}

const CASE_WORKERS: Role[] = ['ombudsperson', 'staff_resource'];
const ADMIN: Role[] = ['administrator'];

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/sign-in" element={<SignIn />} />
        <Route path="/" element={<Home />} />
        <Route path="/complaints" element={<Protected roles={CASE_WORKERS}><Dashboard /></Protected>} />
        <Route path="/complaints/new" element={<Protected roles={['ombudsperson']}><Intake /></Protected>} />
        <Route path="/consultations" element={<Protected roles={['ombudsperson']}><Consultations /></Protected>} />
        <Route path="/consultations/:id" element={<Protected roles={['ombudsperson']}><Consultation /></Protected>} />
        <Route path="/complaints/:id" element={<Protected roles={CASE_WORKERS}><ComplaintPage /></Protected>} />
        <Route path="/status" element={<Protected roles={['table_officer']}><StatusBoard /></Protected>} />
        <Route path="/status/:id" element={<Protected roles={['table_officer']}><StatusPage /></Protected>} />
        <Route path="/admin/users" element={<Protected roles={ADMIN}><Users /></Protected>} />
        <Route path="/admin/units" element={<Protected roles={ADMIN}><Units /></Protected>} />
        <Route path="/admin/roster" element={<Protected roles={ADMIN}><Roster /></Protected>} />
        <Route path="/admin/members" element={<Protected roles={ADMIN}><Members /></Protected>} />
        <Route path="/admin/integrations" element={<Protected roles={ADMIN}><Integrations /></Protected>} />
        <Route path="/admin/audit" element={<Protected roles={ADMIN}><Audit /></Protected>} />
        <Route path="/admin/disclosures" element={<Protected roles={ADMIN}><Disclosures /></Protected>} />
        <Route path="/admin/retention" element={<Protected roles={ADMIN}><Retention /></Protected>} />
        <Route path="/admin/failed-deliveries" element={<Protected roles={ADMIN}><FailedDeliveries /></Protected>} />
        <Route path="/notifications" element={<RequireAuth><Notifications /></RequireAuth>} />
        <Route path={SECOND_FACTOR_PATH} element={<RequireAuth><SecondFactor /></RequireAuth>} />
        <Route path="/policy-review" element={<Protected roles={['table_officer', 'administrator']}><PolicyReview /></Protected>} />
        <Route path="/statistics" element={<Protected roles={['table_officer', 'administrator']}><Statistics /></Protected>} />
        <Route path="/calendar" element={<Protected roles={['ombudsperson', 'staff_resource', 'table_officer', 'administrator']}><Calendar /></Protected>} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
