import MenuIcon from "@mui/icons-material/Menu";
import { AppBar, Box, Drawer, IconButton, Toolbar, Typography } from "@mui/material";
import { type ReactNode, useState } from "react";
import { Outlet } from "react-router";

import { useSession } from "../lib/useSession";
import ConnectionIndicator from "./ConnectionIndicator";
import NavList from "./NavList";
import ThemeToggle from "./ThemeToggle";

const DRAWER_WIDTH = 232;

interface AppLayoutProps {
  /** The top bar's notifications button (from the page shell). */
  notifications: ReactNode;
  /** The top bar's user menu (from the page shell). */
  userMenu: ReactNode;
}

/** The shell of every page: top bar, side navigation and the routed page. */
export default function AppLayout({ notifications, userMenu }: AppLayoutProps) {
  const [mobileOpen, setMobileOpen] = useState(false);
  const { session } = useSession();
  // Rendered under RequireSession: a session is there; "viewer" is only the type's fallback.
  const role = session?.user.role ?? "viewer";
  const closeMobile = () => setMobileOpen(false);
  return (
    <Box sx={{ display: "flex", minHeight: "100vh" }}>
      <AppBar position="fixed" sx={{ zIndex: (theme) => theme.zIndex.drawer + 1 }}>
        <Toolbar>
          <IconButton
            color="inherit"
            edge="start"
            aria-label="Open navigation"
            onClick={() => setMobileOpen(true)}
            sx={{ mr: 2, display: { md: "none" } }}
          >
            <MenuIcon />
          </IconButton>
          <Typography variant="h6" component="div" sx={{ flexGrow: 1, fontWeight: 600 }}>
            Envdeck
          </Typography>
          <ConnectionIndicator />
          {notifications}
          <ThemeToggle />
          {userMenu}
        </Toolbar>
      </AppBar>
      {/* Narrow screens: a drawer that slides in from the menu button. */}
      <Drawer
        variant="temporary"
        open={mobileOpen}
        onClose={closeMobile}
        sx={{
          display: { xs: "block", md: "none" },
          "& .MuiDrawer-paper": { width: DRAWER_WIDTH, boxSizing: "border-box" },
        }}
      >
        <Toolbar />
        <NavList role={role} onNavigate={closeMobile} />
      </Drawer>
      {/* Desktop: always there. */}
      <Drawer
        variant="permanent"
        sx={{
          display: { xs: "none", md: "block" },
          width: DRAWER_WIDTH,
          flexShrink: 0,
          "& .MuiDrawer-paper": { width: DRAWER_WIDTH, boxSizing: "border-box" },
        }}
      >
        <Toolbar />
        <NavList role={role} />
      </Drawer>
      <Box component="main" sx={{ flexGrow: 1, minWidth: 0, p: 3 }}>
        <Toolbar />
        <Outlet />
      </Box>
    </Box>
  );
}
