import StraightenIcon from "@mui/icons-material/Straighten";
import { ToggleButton, Tooltip } from "@mui/material";

import { useSparklineScale } from "./sparklineScale";

/** Draw every card's sparkline on one scale (the slowest on screen), or each on its own. */
export default function SparklineScaleToggle() {
  const [scale, setScale] = useSparklineScale();
  const shared = scale === "shared";
  return (
    <Tooltip
      title="Draw every card's response times on one scale, to compare their lines"
      describeChild
    >
      <ToggleButton
        value="shared"
        size="small"
        selected={shared}
        onChange={() => setScale(shared ? "own" : "shared")}
        sx={{ textTransform: "none", gap: 0.5 }}
      >
        <StraightenIcon fontSize="small" />
        Same scale
      </ToggleButton>
    </Tooltip>
  );
}
