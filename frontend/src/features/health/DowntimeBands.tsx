import { useTheme } from "@mui/material/styles";
import { useDrawingArea, useXScale } from "@mui/x-charts/hooks";

import type { DowntimeRange } from "./downtime";

/** Shaded ranges over a time chart where checks found the environment unhealthy. */
export default function DowntimeBands({ ranges }: { ranges: DowntimeRange[] }) {
  const theme = useTheme();
  const { top, height, left, width } = useDrawingArea();
  const x = useXScale<"time">();
  return (
    <g data-testid="downtime-bands" pointerEvents="none">
      {ranges.map((range) => {
        const start = Math.max(left, x(new Date(range.start)));
        const end = Math.min(left + width, x(new Date(range.end)));
        if (!(end > start)) return null;
        return (
          <rect
            key={range.start}
            x={start}
            y={top}
            width={Math.max(end - start, 2)}
            height={height}
            fill={range.down ? theme.palette.error.main : theme.palette.warning.main}
            fillOpacity={0.18}
          />
        );
      })}
    </g>
  );
}
