import Page from "../components/Page";
import VersionsView from "../features/versions/VersionsView";

/** Which version each environment runs, and how far behind the newest it is. */
export default function VersionsPage() {
  return (
    <Page title="Versions">
      <VersionsView />
    </Page>
  );
}
