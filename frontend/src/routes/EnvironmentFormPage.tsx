import { Alert, CircularProgress } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useNavigate, useParams } from "react-router";

import Page from "../components/Page";
import { credentialQueries } from "../features/credentials/queries";
import EnvironmentForm from "../features/environments/EnvironmentForm";
import { environmentQueries } from "../features/environments/queries";
import { withNotice } from "../lib/routeNotice";
import { errorMessage } from "../lib/serverErrors";
import { environmentFormSlots } from "./slots";

/** The most credentials the picker offers (the API's largest page). */
const CREDENTIAL_LIMIT = 200;

/** Create an environment (/environments/new) or edit one (/environments/:id/edit); admins only. */
export default function EnvironmentFormPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const environment = useQuery({
    ...environmentQueries.detail(id ?? ""),
    enabled: id !== undefined,
  });
  const credentials = useQuery(credentialQueries.list({ page: 1, limit: CREDENTIAL_LIMIT }));
  const title = id ? `Edit ${environment.data?.name ?? "environment"}` : "New environment";

  // A failed refetch (e.g. after creating a credential from the form) keeps the form and its input.
  const failed = (id && environment.error) || (!credentials.data && credentials.error);
  const loading = (id && environment.isPending) || credentials.isPending;
  return (
    <Page title={title}>
      {failed ? (
        <Alert severity="error">{errorMessage(failed)}</Alert>
      ) : loading ? (
        <CircularProgress aria-label="Loading" />
      ) : (
        <EnvironmentForm
          key={id ?? "new"}
          environment={id ? (environment.data ?? null) : null}
          credentials={credentials.data?.credentials ?? []}
          onSaved={(saved) =>
            void navigate(`/environments/${saved.id}`, {
              state: withNotice(id ? `Saved ${saved.name}.` : `Created ${saved.name}.`),
            })
          }
          onCancel={() => void navigate(id ? `/environments/${id}` : "/environments")}
          slots={environmentFormSlots}
        />
      )}
    </Page>
  );
}
