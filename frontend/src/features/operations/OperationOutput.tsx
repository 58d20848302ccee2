import { Box } from "@mui/material";
import { useLayoutEffect, useRef } from "react";

// Within this many pixels of the end counts as "at the end": keep following.
const FOLLOW_SLACK_PX = 24;

interface OperationOutputProps {
  text: string;
  running: boolean;
}

/**
 * The output as a terminal shows it. It follows new output while the reader is at the end;
 * scrolling up to read stops that until they scroll back down.
 */
export default function OperationOutput({ text, running }: OperationOutputProps) {
  const box = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  useLayoutEffect(() => {
    const element = box.current;
    if (element && follow.current) element.scrollTop = element.scrollHeight;
  }, [text]);
  return (
    <Box
      component="pre"
      ref={box}
      role="log"
      aria-label="Output"
      aria-live="polite"
      onScroll={() => {
        const element = box.current;
        if (!element) return;
        follow.current =
          element.scrollHeight - element.scrollTop - element.clientHeight <= FOLLOW_SLACK_PX;
      }}
      sx={{
        m: 0,
        p: 1.5,
        minHeight: 160,
        maxHeight: 420,
        overflow: "auto",
        borderRadius: 1,
        // A terminal stays dark in both colour modes.
        bgcolor: "grey.900",
        color: "grey.100",
        fontFamily: "monospace",
        fontSize: 13,
        whiteSpace: "pre-wrap",
        wordBreak: "break-all",
      }}
    >
      {text || (running ? "Waiting for output…" : "No output.")}
    </Box>
  );
}
