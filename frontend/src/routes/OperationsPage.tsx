import Page from "../components/Page";
import OperationsView from "../features/operations/OperationsView";
import { filterPickers } from "./slots";

/** Every restart, upgrade and rollback: filterable, paged on the server, live. */
export default function OperationsPage() {
  return (
    <Page title="Operations">
      <OperationsView pickers={filterPickers} />
    </Page>
  );
}
