import KeyIcon from "@mui/icons-material/Key";
import LockResetIcon from "@mui/icons-material/LockReset";
import LogoutIcon from "@mui/icons-material/Logout";
import PersonIcon from "@mui/icons-material/Person";
import {
  Avatar,
  Button,
  Divider,
  ListItemIcon,
  ListItemText,
  Menu,
  MenuItem,
  Snackbar,
} from "@mui/material";
import { lazy, Suspense, useId, useState } from "react";
import { Link } from "react-router";

import { ROLE_LABELS } from "../../lib/roles";
import { useSession } from "../../lib/useSession";
import { signOut } from "./queries";

// Loaded when first opened: forms and their validation stay out of the first page load.
const ChangePasswordDialog = lazy(() => import("./ChangePasswordDialog"));
const ProfileDialog = lazy(() => import("./ProfileDialog"));

type OpenDialog = "profile" | "password" | null;

/** The signed-in user's button in the top bar: profile, password, API tokens, sign out. */
export default function UserMenu() {
  const { session } = useSession();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const menuId = useId();
  if (!session) return null;
  const { user } = session;
  // Set on a migrated account whose password the policy refuses: nothing else works until then.
  const mustChange = user.mustChangePassword === true;

  const closeMenu = () => setAnchor(null);
  const open = (which: OpenDialog) => () => {
    closeMenu();
    setDialog(which);
  };

  return (
    <>
      <Button
        color="inherit"
        onClick={(event) => setAnchor(event.currentTarget)}
        aria-haspopup="menu"
        aria-controls={anchor ? menuId : undefined}
        aria-expanded={anchor ? "true" : undefined}
        startIcon={
          <Avatar aria-hidden sx={{ width: 28, height: 28, fontSize: 14, bgcolor: "primary.dark" }}>
            {user.username.charAt(0).toUpperCase()}
          </Avatar>
        }
        sx={{ textTransform: "none", ml: 1 }}
      >
        {user.username}
      </Button>
      <Menu
        id={menuId}
        anchorEl={anchor}
        open={anchor !== null}
        onClose={closeMenu}
        anchorOrigin={{ vertical: "bottom", horizontal: "right" }}
        transformOrigin={{ vertical: "top", horizontal: "right" }}
      >
        <MenuItem disabled sx={{ "&.Mui-disabled": { opacity: 1 } }}>
          <ListItemText primary={user.username} secondary={ROLE_LABELS[user.role]} />
        </MenuItem>
        <Divider />
        <MenuItem onClick={open("profile")}>
          <ListItemIcon>
            <PersonIcon fontSize="small" />
          </ListItemIcon>
          Profile
        </MenuItem>
        <MenuItem onClick={open("password")}>
          <ListItemIcon>
            <LockResetIcon fontSize="small" />
          </ListItemIcon>
          Change password
        </MenuItem>
        <MenuItem component={Link} to="/tokens" onClick={closeMenu}>
          <ListItemIcon>
            <KeyIcon fontSize="small" />
          </ListItemIcon>
          API tokens
        </MenuItem>
        <Divider />
        <MenuItem
          onClick={() => {
            closeMenu();
            void signOut();
          }}
        >
          <ListItemIcon>
            <LogoutIcon fontSize="small" />
          </ListItemIcon>
          Sign out
        </MenuItem>
      </Menu>
      <Suspense fallback={null}>
        {dialog === "profile" && <ProfileDialog open onClose={() => setDialog(null)} />}
        {(dialog === "password" || mustChange) && (
          <ChangePasswordDialog
            open
            required={mustChange}
            onClose={() => (mustChange ? void signOut() : setDialog(null))}
            onChanged={() => setNotice("Password changed. Your other sessions have ended.")}
          />
        )}
      </Suspense>
      <Snackbar
        open={notice !== null}
        autoHideDuration={6000}
        onClose={() => setNotice(null)}
        message={notice}
      />
    </>
  );
}
