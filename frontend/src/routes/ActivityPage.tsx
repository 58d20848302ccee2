import Page from "../components/Page";
import ActivityView from "../features/activity/ActivityView";
import { filterPickers } from "./slots";

/** The whole activity log: who did what, searchable, live. */
export default function ActivityPage() {
  return (
    <Page title="Activity">
      <ActivityView pickers={filterPickers} />
    </Page>
  );
}
