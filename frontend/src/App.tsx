/** The routes. Pages live one per module; the shell wraps every signed-in page. */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Navigate, Route, Routes, useNavigate } from 'react-router';
import { AccountPage } from './accounts/AccountPage';
import { AccountsPage } from './accounts/AccountsPage';
import { setUnauthorizedHandler } from './api/client';
import { LoginPage } from './auth/LoginPage';
import { SignupPage } from './auth/SignupPage';
import { ContactPage } from './contacts/ContactPage';
import { ContactsPage } from './contacts/ContactsPage';
import { DealPage } from './deals/DealPage';
import { PipelinePage } from './pipeline/PipelinePage';
import { ImportPage } from './imports/ImportPage';
import { ProjectPage } from './projects/ProjectPage';
import { ReportsPage } from './reports/ReportsPage';
import { SettingsPage } from './settings/SettingsPage';
import { AppShell } from './shell/AppShell';
import { TodayPage } from './today/TodayPage';
import { TrashPage } from './trash/TrashPage';
import { Empty } from './ui/States';

function useRedirectOnLostSession() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (window.location.pathname === '/login' || window.location.pathname === '/signup') return;
      queryClient.clear();
      navigate('/login', { replace: true, state: { from: window.location.pathname + window.location.search } });
    });
    return () => setUnauthorizedHandler(() => {});
  }, [navigate, queryClient]);
}

export function App() {
  useRedirectOnLostSession();
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/signup" element={<SignupPage />} />
      <Route element={<AppShell />}>
        <Route index element={<Navigate to="/pipeline" replace />} />
        <Route path="today" element={<TodayPage />} />
        <Route path="pipeline" element={<PipelinePage />} />
        <Route path="pipeline/:pipelineId" element={<PipelinePage />} />
        <Route path="deals/:dealId" element={<DealPage />} />
        <Route path="projects/:projectId" element={<ProjectPage />} />
        <Route path="contacts" element={<ContactsPage />} />
        <Route path="contacts/:contactId" element={<ContactPage />} />
        <Route path="accounts" element={<AccountsPage />} />
        <Route path="accounts/:accountId" element={<AccountPage />} />
        <Route path="reports" element={<ReportsPage />} />
        <Route path="import" element={<ImportPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="settings/:section" element={<SettingsPage />} />
        <Route path="trash" element={<TrashPage />} />
        <Route
          path="*"
          element={
            <section className="page">
              <h1>Page not found</h1>
              <Empty title="There is nothing at this address." />
            </section>
          }
        />
      </Route>
    </Routes>
  );
}
