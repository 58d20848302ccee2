import Page from "../components/Page";
import UsersManager from "../features/users/UsersManager";
import { useSession } from "../lib/useSession";

/** Users (admins only: the route shows NoAccessPage to anyone else). */
export default function UsersPage() {
  const { session } = useSession();
  return (
    <Page title="Users">
      {session && <UsersManager currentUserId={session.user.id} />}
    </Page>
  );
}
