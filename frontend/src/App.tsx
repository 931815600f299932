import { lazy, Suspense, type ReactNode } from "react";
import { Route, Routes } from "react-router";
import { RequireAuth, RequirePermission } from "./auth/guards";
import { InlineLoader } from "./components/Loading";
import { AppShell } from "./layouts/AppShell";
import { CallbackPage } from "./pages/auth/CallbackPage";
import { LoginPage } from "./pages/auth/LoginPage";
import { NotFoundPage } from "./pages/errors/NotFoundPage";

// Pages load on demand: the login page does not pay for the data grid and charts.
const HomePage = lazy(() => import("./pages/home/HomePage").then((m) => ({ default: m.HomePage })));
const ModelsPage = lazy(() => import("./pages/models/ModelsPage").then((m) => ({ default: m.ModelsPage })));
const ModelDetailPage = lazy(() => import("./pages/models/ModelDetailPage").then((m) => ({ default: m.ModelDetailPage })));
const DeploymentsPage = lazy(() => import("./pages/deployments/DeploymentsPage").then((m) => ({ default: m.DeploymentsPage })));
const ExecutionsPage = lazy(() => import("./pages/executions/ExecutionsPage").then((m) => ({ default: m.ExecutionsPage })));
const RegisterModelPage = lazy(() => import("./pages/models/RegisterModelPage").then((m) => ({ default: m.RegisterModelPage })));
const DeploymentFormPage = lazy(() => import("./pages/deployments/DeploymentFormPage").then((m) => ({ default: m.DeploymentFormPage })));
const DeploymentDetailPage = lazy(() => import("./pages/deployments/DeploymentDetailPage").then((m) => ({ default: m.DeploymentDetailPage })));
const ExecutionDetailPage = lazy(() => import("./pages/executions/ExecutionDetailPage").then((m) => ({ default: m.ExecutionDetailPage })));
const ReportsPage = lazy(() => import("./pages/reports/ReportsPage").then((m) => ({ default: m.ReportsPage })));
const UsersPage = lazy(() => import("./pages/users/UsersPage").then((m) => ({ default: m.UsersPage })));
const AuditPage = lazy(() => import("./pages/audit/AuditPage").then((m) => ({ default: m.AuditPage })));

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={<InlineLoader />}>{children}</Suspense>;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/auth/callback" element={<CallbackPage />} />
      <Route
        element={
          <RequireAuth>
            <AppShell />
          </RequireAuth>
        }
      >
        <Route index element={<Page><HomePage /></Page>} />
        <Route path="models" element={<Page><ModelsPage /></Page>} />
        <Route
          path="models/new"
          element={
            <RequirePermission permission="edit_models">
              <Page><RegisterModelPage /></Page>
            </RequirePermission>
          }
        />
        <Route path="models/:modelId" element={<Page><ModelDetailPage /></Page>} />
        <Route path="deployments" element={<Page><DeploymentsPage /></Page>} />
        <Route
          path="deployments/new"
          element={
            <RequirePermission permission="manage_deployments">
              <Page><DeploymentFormPage /></Page>
            </RequirePermission>
          }
        />
        <Route path="deployments/:deploymentId" element={<Page><DeploymentDetailPage /></Page>} />
        <Route
          path="deployments/:deploymentId/edit"
          element={
            <RequirePermission permission="manage_deployments">
              <Page><DeploymentFormPage /></Page>
            </RequirePermission>
          }
        />
        <Route path="executions" element={<Page><ExecutionsPage /></Page>} />
        <Route path="executions/:executionId" element={<Page><ExecutionDetailPage /></Page>} />
        <Route path="reports" element={<Page><ReportsPage /></Page>} />
        <Route
          path="users"
          element={
            <RequirePermission permission="manage_users">
              <Page><UsersPage /></Page>
            </RequirePermission>
          }
        />
        <Route
          path="audit"
          element={
            <RequirePermission permission="read_audit">
              <Page><AuditPage /></Page>
            </RequirePermission>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
