import { Box, Paper, Typography } from "@mui/material";
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { type ComponentProps, startTransition, useEffect, useRef, useState } from "react";

import EnvironmentCard from "./EnvironmentCard";
import { healthColor } from "./health";
import type { Environment } from "./queries";
import type { EnvironmentSlots, HealthPoint } from "./slots";
import { useColumnCount } from "./useColumnCount";
import { useDocumentTop } from "./useDocumentTop";
import { useFocusScroll } from "./useFocusScroll";

const MIN_CARD_WIDTH = 300;
const GAP_PX = 16;
/** A card's usual height, until the row is measured. */
const ESTIMATED_ROW_PX = 300;
/**
 * Rows drawn beyond the window, above and below: the next card is always in the page for Tab
 * and Shift+Tab to reach (the browser then scrolls it into view, which draws the one after).
 */
const OVERSCAN_ROWS = 2;

interface VirtualCardGridProps {
  environments: Environment[];
  canManage: boolean;
  onDelete: (environment: Environment) => void;
  /** The last hour's checks by environment id; undefined while they load. */
  sparklines: Record<string, HealthPoint[]> | undefined;
  slots: Omit<EnvironmentSlots, "useSparklines">;
}

/**
 * One page of environment cards in a grid that scrolls with the window, drawing only the rows
 * in view (and a few around them): 96 cards cost what a screenful costs, on first render, on
 * scroll and on every live update.
 */
export default function VirtualCardGrid({
  environments,
  canManage,
  onDelete,
  sparklines,
  slots,
}: VirtualCardGridProps) {
  const listRef = useRef<HTMLDivElement>(null);
  const columns = useColumnCount(listRef, MIN_CARD_WIDTH, GAP_PX);
  const top = useDocumentTop(listRef);
  const rowCount = Math.ceil(environments.length / columns);
  const virtualizer = useWindowVirtualizer({
    count: rowCount,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: OVERSCAN_ROWS,
    gap: GAP_PX,
    // Scroll updates go through React's own scheduling rather than a synchronous render in
    // the scroll handler.
    useFlushSync: false,
    scrollMargin: top,
    // Rows are keyed by position (the default): a search or a live update that moves cards
    // between rows moves them, it never remounts a row (or a card under the pointer).
  });
  const onFocus = useFocusScroll(virtualizer);
  return (
    <Box
      ref={listRef}
      role="list"
      aria-label="Environments"
      sx={{ position: "relative", width: "100%" }}
      style={{ height: virtualizer.getTotalSize() }}
    >
      {virtualizer.getVirtualItems().map((row) => (
        <Box
          key={row.key}
          ref={virtualizer.measureElement}
          data-index={row.index}
          onFocus={onFocus.onFocus}
          onPointerDown={onFocus.onPointerDown}
          sx={{
            position: "absolute",
            top: 0,
            left: 0,
            width: "100%",
            display: "grid",
            gap: `${GAP_PX}px`,
            gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
          }}
          // Inline, not sx: a class per scroll position would grow the style sheet forever.
          style={{ transform: `translateY(${row.start - virtualizer.options.scrollMargin}px)` }}
        >
          {environments.slice(row.index * columns, (row.index + 1) * columns).map((environment) => (
            <Box role="listitem" key={environment.id} sx={{ minWidth: 0 }}>
              <DeferredCard
                deferred={virtualizer.isScrolling}
                environment={environment}
                canManage={canManage}
                onDelete={onDelete}
                sparkline={sparklines?.[environment.id]}
                slots={slots}
              />
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}

/** A card's height before it is drawn: about a drawn card's, so the row hardly moves. */
const PLACEHOLDER_PX = ESTIMATED_ROW_PX - 20;

/**
 * A card that comes into view while scrolling (`deferred`) is drawn in two steps: at once an
 * outline with its name and health colour, then the card (charts, buttons, reservation) as a
 * low-priority render that React splits between frames, so scrolling does not wait for it.
 * Cards on screen when the page opens are drawn at once.
 */
function DeferredCard({
  deferred,
  ...props
}: ComponentProps<typeof EnvironmentCard> & { deferred: boolean }) {
  const [drawn, setDrawn] = useState(!deferred);
  useEffect(() => {
    if (!drawn) startTransition(() => setDrawn(true));
  }, [drawn]);
  if (drawn) return <EnvironmentCard {...props} />;
  const health = props.environment.status?.health ?? "unknown";
  return (
    <Paper
      variant="outlined"
      aria-busy
      sx={{
        height: PLACEHOLDER_PX,
        p: 2,
        borderLeft: 6,
        borderLeftColor: (theme) => healthColor(theme, health),
      }}
    >
      <Typography variant="h6" component="p" noWrap>
        {props.environment.name}
      </Typography>
    </Paper>
  );
}
