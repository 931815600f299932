import { useState } from "react";
import {
  AppBar,
  Box,
  Drawer,
  IconButton,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  ListSubheader,
  Stack,
  Toolbar,
  Typography,
  useMediaQuery,
  useTheme,
} from "@mui/material";
import MenuIcon from "@mui/icons-material/Menu";
import { Link as RouterLink, Outlet, useLocation } from "react-router";
import { useCan } from "../auth/context";
import { NAVIGATION, type NavItem } from "./navigation";
import { UserMenu } from "./UserMenu";

const DRAWER_WIDTH = 240;

export function Logo() {
  return (
    <Stack direction="row" spacing={1.25} alignItems="center">
      <Box
        component="img"
        src="/favicon.svg"
        alt=""
        sx={{ width: 30, height: 30, display: "block" }}
      />
      <Typography variant="h6" sx={{ fontWeight: 700, letterSpacing: "-0.01em" }}>
        ModelHub
      </Typography>
    </Stack>
  );
}

function isActive(item: NavItem, pathname: string): boolean {
  if (item.to === "/") return pathname === "/";
  return pathname === item.to || (!!item.prefix && pathname.startsWith(`${item.to}/`));
}

function Navigation({ onNavigate }: { onNavigate?: () => void }) {
  const can = useCan();
  const { pathname } = useLocation();
  return (
    <Box component="nav" aria-label="main navigation" sx={{ py: 1 }}>
      {NAVIGATION.map((section, index) => {
        const items = section.items.filter((item) => can(item.permission));
        if (items.length === 0) return null;
        return (
          <List
            key={section.title ?? index}
            dense
            subheader={
              section.title ? (
                <ListSubheader
                  disableSticky
                  sx={{ lineHeight: "32px", fontSize: 11, fontWeight: 600, letterSpacing: "0.08em", textTransform: "uppercase", bgcolor: "transparent" }}
                >
                  {section.title}
                </ListSubheader>
              ) : undefined
            }
          >
            {items.map((item) => (
              <ListItemButton
                key={item.to}
                component={RouterLink}
                to={item.to}
                selected={isActive(item, pathname)}
                onClick={onNavigate}
                sx={{ mb: 0.25, py: 0.75 }}
                data-testid={`nav-${item.label.toLowerCase().replace(/\s+/g, "-")}`}
              >
                <ListItemIcon>{item.icon}</ListItemIcon>
                <ListItemText primary={item.label} slotProps={{ primary: { fontWeight: 500, fontSize: 14 } }} />
              </ListItemButton>
            ))}
          </List>
        );
      })}
    </Box>
  );
}

export function AppShell() {
  const theme = useTheme();
  const desktop = useMediaQuery(theme.breakpoints.up("md"));
  const [open, setOpen] = useState(false);
  const drawer = (
    <>
      <Toolbar sx={{ px: 2.5 }}>
        <Logo />
      </Toolbar>
      <Navigation onNavigate={desktop ? undefined : () => setOpen(false)} />
    </>
  );
  return (
    <Box sx={{ display: "flex", minHeight: "100vh" }}>
      <AppBar position="fixed" sx={{ width: { md: `calc(100% - ${DRAWER_WIDTH}px)` }, ml: { md: `${DRAWER_WIDTH}px` } }}>
        <Toolbar>
          {!desktop && (
            <IconButton edge="start" aria-label="open navigation" onClick={() => setOpen(true)} sx={{ mr: 1 }}>
              <MenuIcon />
            </IconButton>
          )}
          {!desktop && <Logo />}
          <Box sx={{ flexGrow: 1 }} />
          <UserMenu />
        </Toolbar>
      </AppBar>
      <Box
        component="aside"
        sx={{ width: { md: DRAWER_WIDTH }, flexShrink: { md: 0 }, bgcolor: { md: "background.paper" } }}
      >
        <Drawer
          variant={desktop ? "permanent" : "temporary"}
          open={desktop || open}
          onClose={() => setOpen(false)}
          ModalProps={{ keepMounted: true }}
          sx={{ "& .MuiDrawer-paper": { width: DRAWER_WIDTH, boxSizing: "border-box", borderRightColor: "divider" } }}
        >
          {drawer}
        </Drawer>
      </Box>
      <Box component="main" sx={{ flexGrow: 1, minWidth: 0, p: { xs: 2, md: 4 }, pt: { xs: 10, md: 11 } }}>
        <Box sx={{ maxWidth: 1440, mx: "auto" }}>
          <Outlet />
        </Box>
      </Box>
    </Box>
  );
}
