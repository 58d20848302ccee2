import { Chip, Stack } from "@mui/material";
import { useQueries } from "@tanstack/react-query";

import type { Scope } from "../../components/slots";
import { environmentQueries } from "./queries";

/** How many environments are named; the rest are counted. */
const MAX_NAMED = 5;

/** A scope as chips: the environments it names (by name) and its tags ("tag: prod"). */
export default function ScopeChips({ scope }: { scope: Scope }) {
  const ids = scope.environmentIds ?? [];
  const named = ids.slice(0, MAX_NAMED);
  const environments = useQueries({
    queries: named.map((id) => ({ ...environmentQueries.detail(id), retry: false })),
  });
  return (
    <Stack direction="row" spacing={0.5} useFlexGap flexWrap="wrap" aria-label="Scope">
      {named.map((id, index) => (
        <Chip key={id} size="small" label={environments[index]?.data?.name ?? id} />
      ))}
      {ids.length > named.length && (
        <Chip size="small" label={`+${ids.length - named.length} more`} />
      )}
      {(scope.tags ?? []).map((tag) => (
        <Chip key={tag} size="small" variant="outlined" label={`tag: ${tag}`} />
      ))}
    </Stack>
  );
}
