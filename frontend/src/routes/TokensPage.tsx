import Page from "../components/Page";
import TokensManager from "../features/tokens/TokensManager";
import { useSession } from "../lib/useSession";

export default function TokensPage() {
  const { session } = useSession();
  return (
    <Page title="API tokens">
      {session && <TokensManager role={session.user.role} />}
    </Page>
  );
}
