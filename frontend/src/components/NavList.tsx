import CampaignIcon from "@mui/icons-material/Campaign";
import ConstructionIcon from "@mui/icons-material/Construction";
import DnsIcon from "@mui/icons-material/Dns";
import EventIcon from "@mui/icons-material/Event";
import HistoryIcon from "@mui/icons-material/History";
import KeyIcon from "@mui/icons-material/Key";
import MonitorHeartIcon from "@mui/icons-material/MonitorHeart";
import NewReleasesIcon from "@mui/icons-material/NewReleases";
import PeopleIcon from "@mui/icons-material/People";
import PlayCircleIcon from "@mui/icons-material/PlayCircleOutline";
import PublicIcon from "@mui/icons-material/Public";
import RouteIcon from "@mui/icons-material/Route";
import { List, ListItemButton, ListItemIcon, ListItemText } from "@mui/material";
import type { ReactNode } from "react";
import { NavLink, useLocation } from "react-router";

import { hasRole, type Role } from "../lib/roles";

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  /** The lowest role the page is for: the entry is not shown to anyone below it. */
  atLeast: Role;
}

const NAV_ITEMS: NavItem[] = [
  { to: "/environments", label: "Environments", icon: <DnsIcon />, atLeast: "viewer" },
  { to: "/versions", label: "Versions", icon: <NewReleasesIcon />, atLeast: "viewer" },
  { to: "/pipelines", label: "Pipelines", icon: <RouteIcon />, atLeast: "viewer" },
  { to: "/operations", label: "Operations", icon: <PlayCircleIcon />, atLeast: "viewer" },
  { to: "/activity", label: "Activity", icon: <HistoryIcon />, atLeast: "viewer" },
  { to: "/reservations", label: "Reservations", icon: <EventIcon />, atLeast: "viewer" },
  { to: "/maintenance", label: "Maintenance", icon: <ConstructionIcon />, atLeast: "viewer" },
  { to: "/system", label: "System status", icon: <MonitorHeartIcon />, atLeast: "viewer" },
  { to: "/notifications", label: "Notifications", icon: <CampaignIcon />, atLeast: "admin" },
  { to: "/status-pages", label: "Status pages", icon: <PublicIcon />, atLeast: "admin" },
  { to: "/credentials", label: "Credentials", icon: <KeyIcon />, atLeast: "admin" },
  { to: "/users", label: "Users", icon: <PeopleIcon />, atLeast: "admin" },
];

interface NavListProps {
  role: Role;
  onNavigate?: () => void;
}

/** The main navigation's entries for this role; the current page's entry is selected. */
export default function NavList({ role, onNavigate }: NavListProps) {
  const { pathname } = useLocation();
  return (
    <List component="nav" aria-label="Main">
      {NAV_ITEMS.filter((item) => hasRole(role, item.atLeast)).map((item) => (
        <ListItemButton
          key={item.to}
          component={NavLink}
          to={item.to}
          selected={pathname === item.to || pathname.startsWith(`${item.to}/`)}
          onClick={onNavigate}
        >
          <ListItemIcon>{item.icon}</ListItemIcon>
          <ListItemText primary={item.label} />
        </ListItemButton>
      ))}
    </List>
  );
}
