import MonitorHeartIcon from "@mui/icons-material/MonitorHeart";
import { List, ListItemButton, ListItemIcon, ListItemText } from "@mui/material";
import { NavLink, useLocation } from "react-router";

const NAV_ITEMS = [{ to: "/system", label: "System status", icon: <MonitorHeartIcon /> }];

/** The main navigation's entries; the current page's entry is selected. */
export default function NavList({ onNavigate }: { onNavigate?: () => void }) {
  const { pathname } = useLocation();
  return (
    <List component="nav" aria-label="Main">
      {NAV_ITEMS.map((item) => (
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
