import RestartAltIcon from "@mui/icons-material/RestartAlt";
import UpgradeIcon from "@mui/icons-material/Upgrade";
import { Button, Paper, Stack, Typography } from "@mui/material";

interface BulkActionBarProps {
  count: number;
  onRestart: () => void;
  onUpgrade: () => void;
  onClear: () => void;
}

/** What can be done to the selected environments; it stays in view at the bottom while shown. */
export default function BulkActionBar({ count, onRestart, onUpgrade, onClear }: BulkActionBarProps) {
  return (
    <Paper
      elevation={6}
      role="region"
      aria-label="Bulk actions"
      sx={{ position: "sticky", bottom: 16, zIndex: (theme) => theme.zIndex.appBar - 1, p: 1.5 }}
    >
      <Stack direction="row" spacing={1} alignItems="center" useFlexGap flexWrap="wrap">
        <Typography sx={{ flexGrow: 1 }} aria-live="polite">
          {count} selected
        </Typography>
        <Button variant="contained" color="warning" startIcon={<RestartAltIcon />} onClick={onRestart}>
          Restart…
        </Button>
        <Button variant="contained" startIcon={<UpgradeIcon />} onClick={onUpgrade}>
          Upgrade…
        </Button>
        <Button onClick={onClear}>Clear selection</Button>
      </Stack>
    </Paper>
  );
}
