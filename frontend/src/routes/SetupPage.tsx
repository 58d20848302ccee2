import { Typography } from "@mui/material";

import AuthLayout from "../components/AuthLayout";
import SetupForm from "../features/auth/SetupForm";
import { useDocumentTitle } from "../lib/useDocumentTitle";

export default function SetupPage() {
  useDocumentTitle("Set up");
  return (
    <AuthLayout title="Set up Envdeck">
      <Typography color="text.secondary">
        Create the first administrator. Envdeck has no default password: prove you run this server
        with the setup token it printed when it started.
      </Typography>
      <SetupForm />
    </AuthLayout>
  );
}
