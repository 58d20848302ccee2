import {
  Alert,
  Box,
  Button,
  CircularProgress,
  DialogActions,
  DialogContent,
  DialogTitle,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useId } from "react";

import ResponsiveDialog from "../../components/ResponsiveDialog";
import { ROLE_LABELS } from "../../lib/roles";
import { errorMessage } from "../../lib/serverErrors";
import { authQueries } from "./queries";

function Detail({ label, children }: { label: string; children: ReactNode }) {
  const labelId = useId();
  return (
    <Box sx={{ display: "grid", gridTemplateColumns: "7rem 1fr", py: 0.75 }}>
      <Typography component="dt" id={labelId} color="text.secondary">
        {label}
      </Typography>
      <Typography component="dd" aria-labelledby={labelId} sx={{ m: 0 }}>
        {children}
      </Typography>
    </Box>
  );
}

/** Who you are signed in as, as the server has it now. */
export default function ProfileDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const me = useQuery({ ...authQueries.me(), enabled: open });
  return (
    <ResponsiveDialog open={open} onClose={onClose} maxWidth="xs" fullWidth>
      <DialogTitle>Profile</DialogTitle>
      <DialogContent>
        {me.isPending && <CircularProgress aria-label="Loading profile" />}
        {me.isError && <Alert severity="error">{errorMessage(me.error)}</Alert>}
        {me.data && (
          <Box component="dl" sx={{ m: 0 }}>
            <Detail label="Username">{me.data.username}</Detail>
            <Detail label="Email">{me.data.email ?? "—"}</Detail>
            <Detail label="Role">{ROLE_LABELS[me.data.role]}</Detail>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </ResponsiveDialog>
  );
}
