import Page from "../components/Page";
import CredentialsManager from "../features/credentials/CredentialsManager";

/** Credentials (admins only: the route shows NoAccessPage to anyone else). */
export default function CredentialsPage() {
  return (
    <Page title="Credentials">
      <CredentialsManager />
    </Page>
  );
}
