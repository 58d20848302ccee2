import VisibilityIcon from "@mui/icons-material/Visibility";
import VisibilityOffIcon from "@mui/icons-material/VisibilityOff";
import { Box, IconButton, InputAdornment, TextField, type TextFieldProps } from "@mui/material";
import { useState } from "react";

type PasswordFieldProps = Omit<TextFieldProps, "type" | "slotProps"> & {
  /** The server's advice on a refused password (zxcvbn's warning and suggestions). */
  advice?: string[];
};

/** A password input with a show/hide button, and the server's advice under it. */
export default function PasswordField({ advice = [], helperText, ...props }: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  const help =
    advice.length > 0 ? (
      <>
        {helperText}
        <Box component="ul" sx={{ m: 0, mt: 0.5, pl: 2.5 }}>
          {advice.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </Box>
      </>
    ) : (
      helperText
    );
  return (
    <TextField
      {...props}
      type={visible ? "text" : "password"}
      helperText={help}
      slotProps={{
        // A div, not a p: the advice is a list.
        formHelperText: { component: "div" },
        input: {
          endAdornment: (
            <InputAdornment position="end">
              <IconButton
                edge="end"
                aria-label={visible ? "Hide password" : "Show password"}
                onClick={() => setVisible((v) => !v)}
              >
                {visible ? <VisibilityOffIcon /> : <VisibilityIcon />}
              </IconButton>
            </InputAdornment>
          ),
        },
      }}
    />
  );
}
