import { Chip } from "@mui/material";

/** "Up to date", "Behind by 3", or nothing when it is not known. */
export default function BehindBadge({ behindBy }: { behindBy: number | null | undefined }) {
  if (behindBy === null || behindBy === undefined) return null;
  if (behindBy <= 0) {
    return <Chip size="small" color="success" variant="outlined" label="Up to date" />;
  }
  return <Chip size="small" color="warning" label={`Behind by ${behindBy}`} />;
}
