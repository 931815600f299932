import { useState } from "react";
import { Avatar, Box, Divider, IconButton, ListItemIcon, Menu, MenuItem, Stack, Tooltip, Typography } from "@mui/material";
import LogoutIcon from "@mui/icons-material/Logout";
import { useAuth } from "../auth/context";
import { RoleChips } from "../components/Chips";
import { initials } from "../components/format";

export function UserMenu() {
  const { me, signOut } = useAuth();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  if (!me) return null;
  const name = me.name || me.username;
  return (
    <>
      <Tooltip title="Account">
        <IconButton onClick={(e) => setAnchor(e.currentTarget)} aria-label="account menu" size="small">
          <Stack direction="row" spacing={1} alignItems="center">
            <Avatar sx={{ width: 32, height: 32, fontSize: 13, bgcolor: "primary.main" }}>{initials(name)}</Avatar>
            <Box sx={{ display: { xs: "none", sm: "block" }, textAlign: "left", pr: 0.5 }}>
              <Typography variant="body2" fontWeight={600} color="text.primary" lineHeight={1.2} data-testid="current-user">
                {me.username}
              </Typography>
              <Typography variant="caption" color="text.secondary" lineHeight={1.2}>
                {me.roles.map((r) => r.replace("_", " ")).join(", ")}
              </Typography>
            </Box>
          </Stack>
        </IconButton>
      </Tooltip>
      <Menu
        anchorEl={anchor}
        open={!!anchor}
        onClose={() => setAnchor(null)}
        anchorOrigin={{ vertical: "bottom", horizontal: "right" }}
        transformOrigin={{ vertical: "top", horizontal: "right" }}
        slotProps={{ paper: { sx: { minWidth: 240, mt: 1 } } }}
      >
        <Box sx={{ px: 2, py: 1.5 }}>
          <Typography fontWeight={600}>{name}</Typography>
          {me.email && (
            <Typography variant="body2" color="text.secondary">
              {me.email}
            </Typography>
          )}
          <Box sx={{ mt: 1 }}>
            <RoleChips roles={me.roles} />
          </Box>
        </Box>
        <Divider />
        <MenuItem
          onClick={() => {
            setAnchor(null);
            void signOut();
          }}
        >
          <ListItemIcon>
            <LogoutIcon fontSize="small" />
          </ListItemIcon>
          Sign out
        </MenuItem>
      </Menu>
    </>
  );
}
