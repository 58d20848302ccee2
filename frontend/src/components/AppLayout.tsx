import MenuIcon from "@mui/icons-material/Menu";
import { AppBar, Box, Drawer, IconButton, Link, Toolbar, Typography } from "@mui/material";
import { type MouseEvent, type ReactNode, useState } from "react";
import { Outlet } from "react-router";

import { useSession } from "../lib/useSession";
import ConnectionBanner from "./ConnectionBanner";
import ConnectionIndicator from "./ConnectionIndicator";
import NavList from "./NavList";
import ThemeToggle from "./ThemeToggle";

const DRAWER_WIDTH = 232;
const MAIN_ID = "main-content";

/** Move the focus to the page's content, past the top bar and the navigation. */
function skipToContent(event: MouseEvent<HTMLAnchorElement>) {
  const main = document.getElementById(MAIN_ID);
  if (!main) return;
  // No "#main-content" in the address: the router would take it for a navigation.
  event.preventDefault();
  main.focus();
  main.scrollIntoView();
}

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
      {/* The first tab stop; out of sight until it has the focus. */}
      <Link
        href={`#${MAIN_ID}`}
        onClick={skipToContent}
        variant="body1"
        sx={{
          position: "fixed",
          left: 8,
          top: 8,
          zIndex: (theme) => theme.zIndex.tooltip + 1,
          px: 2,
          py: 1,
          borderRadius: 1,
          bgcolor: "background.paper",
          boxShadow: 4,
          transform: "translateY(-200%)",
          "&:focus": { transform: "none" },
        }}
      >
        Skip to content
      </Link>
      <AppBar position="fixed" sx={{ zIndex: (theme) => theme.zIndex.drawer + 1 }}>
        <Toolbar>
          <IconButton
            color="inherit"
            edge="start"
            aria-label="Open navigation"
            onClick={() => setMobileOpen(true)}
            sx={{ mr: { xs: 1, sm: 2 }, display: { md: "none" } }}
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
      <Box
        component="main"
        id={MAIN_ID}
        tabIndex={-1}
        sx={{ flexGrow: 1, minWidth: 0, p: { xs: 2, sm: 3 }, outline: "none" }}
      >
        <Toolbar />
        <ConnectionBanner />
        <Outlet />
      </Box>
    </Box>
  );
}
