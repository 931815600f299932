import { Button, Stack } from "@mui/material";
import TravelExploreOutlinedIcon from "@mui/icons-material/TravelExploreOutlined";
import { Link as RouterLink, useLocation } from "react-router";
import { EmptyState } from "../../components/EmptyState";

export function NotFoundPage() {
  const location = useLocation();
  return (
    <Stack sx={{ py: 8 }} data-testid="not-found-page">
      <EmptyState
        icon={<TravelExploreOutlinedIcon />}
        title="404 — Page not found"
        description={
          <>
            Nothing lives at <code>{location.pathname}</code>. The link may be old or mistyped; use the menu to find what
            you were looking for.
          </>
        }
        action={
          <Button variant="contained" component={RouterLink} to="/">
            Go to the home page
          </Button>
        }
      />
    </Stack>
  );
}
