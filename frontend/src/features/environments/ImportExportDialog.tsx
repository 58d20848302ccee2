import DownloadIcon from "@mui/icons-material/Download";
import UploadFileIcon from "@mui/icons-material/UploadFile";
import {
  Alert,
  Box,
  Button,
  DialogActions,
  DialogContent,
  DialogTitle,
  Divider,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, useState } from "react";

import ResponsiveDialog from "../../components/ResponsiveDialog";
import { readText } from "../../lib/readText";
import { errorMessage } from "../../lib/serverErrors";
import ImportPlanTable from "./ImportPlanTable";
import {
  environmentQueries,
  exportEnvironments,
  type ImportResult,
  importEnvironments,
  importProblems,
} from "./queries";

interface ImportExportDialogProps {
  onClose: () => void;
  /** After an import was applied, with the number of environments it created or updated. */
  onImported: (count: number) => void;
}

/** Hand the browser a file to save. */
function download(text: string, filename: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Once the browser has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Export every environment as YAML, or import a YAML file: a dry run first shows what would be
 * created and updated, then Apply imports it all (or nothing).
 */
export default function ImportExportDialog({ onClose, onImported }: ImportExportDialogProps) {
  const queryClient = useQueryClient();
  const [yaml, setYaml] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [plan, setPlan] = useState<ImportResult | null>(null);

  const exporter = useMutation({
    mutationFn: exportEnvironments,
    onSuccess: (text) => download(text, "environments.yaml"),
  });
  const check = useMutation({
    mutationFn: (text: string) => importEnvironments(text, true),
    onSuccess: setPlan,
  });
  const apply = useMutation({
    mutationFn: (text: string) => importEnvironments(text, false),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: environmentQueries.all() });
      onImported(result.changes.filter((c) => c.action !== "unchanged").length);
    },
  });

  const failed = check.error ?? apply.error;
  const problems = importProblems(failed);
  const pending = check.isPending || apply.isPending;
  const changing = plan?.changes.some((c) => c.action !== "unchanged") ?? false;

  const edit = (text: string) => {
    setYaml(text);
    setPlan(null);
    check.reset();
    apply.reset();
  };
  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setFileName(file.name);
    edit(await readText(file));
  };

  return (
    <ResponsiveDialog open onClose={pending ? undefined : onClose} maxWidth="md" fullWidth>
      <DialogTitle>Import / export environments</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <Stack spacing={1}>
            <Typography variant="subtitle1" component="h3">
              Export
            </Typography>
            <Typography variant="body2" color="text.secondary">
              Every environment as one YAML file. Secret header values are masked and credentials
              are named, never included.
            </Typography>
            {exporter.isError && <Alert severity="error">{errorMessage(exporter.error)}</Alert>}
            <Box>
              <Button
                variant="outlined"
                startIcon={<DownloadIcon />}
                loading={exporter.isPending}
                onClick={() => exporter.mutate()}
              >
                Download YAML
              </Button>
            </Box>
          </Stack>
          <Divider />
          <Stack spacing={1.5}>
            <Typography variant="subtitle1" component="h3">
              Import
            </Typography>
            <Typography variant="body2" color="text.secondary">
              Choose a file or paste YAML. Environments are matched by name: new ones are created,
              existing ones updated. Nothing is changed until you apply.
            </Typography>
            <Stack direction="row" spacing={2} alignItems="center">
              <Button component="label" variant="outlined" startIcon={<UploadFileIcon />}>
                Choose file
                <input
                  type="file"
                  accept=".yaml,.yml,application/yaml,text/yaml,text/plain"
                  hidden
                  aria-label="YAML file"
                  onChange={(event) => void chooseFile(event)}
                />
              </Button>
              {fileName && (
                <Typography variant="body2" color="text.secondary">
                  {fileName}
                </Typography>
              )}
            </Stack>
            <TextField
              label="YAML"
              multiline
              minRows={6}
              maxRows={16}
              fullWidth
              value={yaml}
              onChange={(event) => edit(event.target.value)}
              slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } }}
            />
            {failed && (
              <Alert severity="error">
                {errorMessage(failed)}
                {problems.length > 0 && (
                  <Box component="ul" sx={{ m: 0, pl: 2 }} aria-label="Problems by environment">
                    {problems.map((problem) => (
                      <li key={problem.environment}>
                        <strong>{problem.environment}</strong>: {problem.errors.join("; ")}
                      </li>
                    ))}
                  </Box>
                )}
              </Alert>
            )}
            {plan && (
              <>
                <Alert severity={changing ? "info" : "success"}>
                  {changing
                    ? "Dry run: this is what Apply would change."
                    : "Nothing to change: every environment in the file is already up to date."}
                </Alert>
                <ImportPlanTable changes={plan.changes} />
              </>
            )}
          </Stack>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={pending}>
          Close
        </Button>
        {plan && changing ? (
          <Button variant="contained" loading={apply.isPending} onClick={() => apply.mutate(yaml)}>
            Apply import
          </Button>
        ) : (
          <Button
            variant="contained"
            disabled={yaml.trim() === ""}
            loading={check.isPending}
            onClick={() => check.mutate(yaml)}
          >
            Check import
          </Button>
        )}
      </DialogActions>
    </ResponsiveDialog>
  );
}
