import { Dialog, type DialogProps, useMediaQuery } from "@mui/material";
import type { Theme } from "@mui/material/styles";

/**
 * A dialog that fills the screen on phone widths (below the `sm` breakpoint), where a floating
 * one leaves its content a narrow column and can push its buttons off screen. Otherwise MUI's
 * Dialog as it is, props and all.
 */
export default function ResponsiveDialog({ fullScreen, ...props }: DialogProps) {
  const small = useMediaQuery((theme: Theme) => theme.breakpoints.down("sm"));
  return <Dialog fullScreen={fullScreen ?? small} {...props} />;
}
