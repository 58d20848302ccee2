import AddIcon from "@mui/icons-material/Add";
import ImportExportIcon from "@mui/icons-material/ImportExport";
import { Button } from "@mui/material";
import { Link } from "react-router";

interface CreateEnvironmentButtonsProps {
  /** The import button's label where it stands ("Import / export", "Import environments"). */
  importLabel: string;
  onImport: () => void;
}

/** An admin's ways to add environments: the form, or the import dialog. */
export default function CreateEnvironmentButtons({
  importLabel,
  onImport,
}: CreateEnvironmentButtonsProps) {
  return (
    <>
      <Button variant="contained" startIcon={<AddIcon />} component={Link} to="/environments/new">
        New environment
      </Button>
      <Button variant="outlined" startIcon={<ImportExportIcon />} onClick={onImport}>
        {importLabel}
      </Button>
    </>
  );
}
