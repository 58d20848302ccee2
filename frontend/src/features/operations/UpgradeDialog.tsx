import SearchIcon from "@mui/icons-material/Search";
import {
  Alert,
  Box,
  Button,
  Chip,
  CircularProgress,
  DialogActions,
  DialogContent,
  DialogTitle,
  InputAdornment,
  List,
  ListItemButton,
  ListItemText,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import ResponsiveDialog from "../../components/ResponsiveDialog";
import { ApiError } from "../../api/client";
import { errorMessage } from "../../lib/serverErrors";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import CommandPreviewView from "./CommandPreviewView";
import { operationQueries, startUpgrade } from "./queries";
import type { Environment } from "./types";
import { behindBy, versionProblem } from "./versionRules";

interface UpgradeDialogProps {
  environment: Environment;
  onClose: () => void;
  /** The upgrade was accepted: follow this operation. */
  onStarted: (operationId: string) => void;
}

function versionListError(error: unknown): string {
  if (error instanceof ApiError && error.status === 502) {
    return `Could not fetch the version list: ${errorMessage(error)}`;
  }
  return errorMessage(error);
}

function BehindChip({ count }: { count: number | null }) {
  if (count === null) return null;
  if (count === 0)
    return <Chip size="small" color="success" variant="outlined" label="Up to date" />;
  return <Chip size="small" color="warning" label={`Behind by ${count}`} />;
}

interface VersionPickerProps {
  versions: string[];
  current: string | null;
  selected: string | null;
  onSelect: (version: string) => void;
}

/** The listed versions, newest first, searchable; the running one is marked. */
function VersionPicker({ versions, current, selected, onSelect }: VersionPickerProps) {
  const [search, setSearch] = useState("");
  const needle = search.trim().toLowerCase();
  const shown = needle ? versions.filter((v) => v.toLowerCase().includes(needle)) : versions;
  return (
    <Stack spacing={1}>
      <TextField
        size="small"
        label="Search versions"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
        slotProps={{
          input: {
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon fontSize="small" />
              </InputAdornment>
            ),
          },
        }}
      />
      {shown.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          {versions.length === 0 ? "The version list is empty." : "No version matches."}
        </Typography>
      ) : (
        <List
          dense
          role="listbox"
          aria-label="Versions"
          sx={{
            maxHeight: 240,
            overflow: "auto",
            border: 1,
            borderColor: "divider",
            borderRadius: 1,
          }}
        >
          {shown.map((version) => (
            <ListItemButton
              key={version}
              role="option"
              aria-selected={version === selected}
              selected={version === selected}
              onClick={() => onSelect(version)}
            >
              <ListItemText primary={version} />
              {version === current && <Chip size="small" label="current" />}
            </ListItemButton>
          ))}
        </List>
      )}
    </Stack>
  );
}

/**
 * Pick a version (from the environment's list, or typed when it has none), read the command
 * with that version filled in, and start the upgrade.
 */
export default function UpgradeDialog({ environment, onClose, onStarted }: UpgradeDialogProps) {
  const listed = Boolean(environment.upgradeConfig?.versionListURL);
  const versions = useQuery({ ...operationQueries.versions(environment.id), enabled: listed });
  const [picked, setPicked] = useState<string | null>(null);
  const [typed, setTyped] = useState("");
  const typedProblem = typed === "" ? null : versionProblem(typed);
  const debounced = useDebouncedValue(typed.trim(), 300);
  const version = listed
    ? picked
    : debounced && versionProblem(debounced) === null
      ? debounced
      : null;
  const preview = useQuery({
    ...operationQueries.preview(environment.id, "upgrade", version),
    enabled: version !== null,
  });
  const upgrade = useMutation({
    mutationFn: (target: string) => startUpgrade(environment.id, target),
    onSuccess: (accepted) => onStarted(accepted.operationId),
  });
  const current = versions.data?.currentVersion ?? environment.systemInfo?.appVersion ?? null;
  const available = versions.data?.availableVersions ?? [];
  return (
    <ResponsiveDialog
      open
      onClose={upgrade.isPending ? undefined : onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="upgrade-title"
    >
      <DialogTitle id="upgrade-title">Upgrade {environment.name}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          {upgrade.isError && <Alert severity="error">{errorMessage(upgrade.error)}</Alert>}
          <Stack direction="row" spacing={1} alignItems="center">
            <Typography variant="body2">
              Running: <strong>{current || "unknown"}</strong>
            </Typography>
            {listed && versions.isSuccess && <BehindChip count={behindBy(current, available)} />}
          </Stack>
          {listed ? (
            versions.isPending ? (
              <CircularProgress size={20} aria-label="Loading versions" />
            ) : versions.isError ? (
              <Alert severity="error">{versionListError(versions.error)}</Alert>
            ) : (
              <VersionPicker
                versions={available}
                current={current}
                selected={picked}
                onSelect={setPicked}
              />
            )
          ) : (
            <TextField
              label="Version"
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              error={typedProblem !== null}
              helperText={typedProblem ?? "No version list is configured: type the version"}
              slotProps={{ htmlInput: { maxLength: 200, spellCheck: false } }}
            />
          )}
          {version !== null && (
            <Box>
              <CommandPreviewView preview={preview} />
            </Box>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={upgrade.isPending}>
          Cancel
        </Button>
        <Button
          variant="contained"
          onClick={() => version !== null && upgrade.mutate(version)}
          loading={upgrade.isPending}
          disabled={version === null || !preview.isSuccess}
        >
          {version === null ? "Upgrade" : `Upgrade to ${version}`}
        </Button>
      </DialogActions>
    </ResponsiveDialog>
  );
}
