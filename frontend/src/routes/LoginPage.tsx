import { Alert } from "@mui/material";
import { Navigate, useLocation } from "react-router";

import AuthLayout from "../components/AuthLayout";
import LoginForm from "../features/auth/LoginForm";
import { DEFAULT_PAGE, returnPath } from "../features/auth/returnPath";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useSession } from "../lib/useSession";

export default function LoginPage() {
  useDocumentTitle("Sign in");
  const { session, notice } = useSession();
  const location = useLocation();
  // Signing in is what leaves this page: back to where the user was, or the start page.
  const from = returnPath(location.state);
  if (session) return <Navigate to={from} replace />;
  return (
    <AuthLayout title="Sign in">
      {notice === "ended" && <Alert severity="warning">Your session ended: sign in again</Alert>}
      {notice === "signedOut" && from === DEFAULT_PAGE && (
        <Alert severity="info">You have signed out.</Alert>
      )}
      <LoginForm />
    </AuthLayout>
  );
}
