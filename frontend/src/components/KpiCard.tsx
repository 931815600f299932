import type { ReactNode } from "react";
import { Box, Card, CardActionArea, CardContent, Skeleton, Stack, Typography } from "@mui/material";
import { Link as RouterLink } from "react-router";
import { describeError, isUnavailable } from "../api/errors";

export function KpiCard({
  label,
  value,
  hint,
  icon,
  loading,
  error,
  to,
  tone = "primary",
}: {
  label: string;
  value?: ReactNode;
  hint?: ReactNode;
  icon: ReactNode;
  loading?: boolean;
  error?: unknown;
  to?: string;
  tone?: "primary" | "secondary" | "success" | "warning" | "error";
}) {
  const body = (
    <CardContent sx={{ p: 2.5, "&:last-child": { pb: 2.5 } }}>
      <Stack direction="row" spacing={2} alignItems="flex-start">
        <Box
          sx={{
            width: 40,
            height: 40,
            borderRadius: 2,
            display: "grid",
            placeItems: "center",
            bgcolor: `${tone}.main`,
            color: `${tone}.contrastText`,
            opacity: 0.9,
            flexShrink: 0,
          }}
        >
          {icon}
        </Box>
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="body2" color="text.secondary" noWrap>
            {label}
          </Typography>
          {loading ? (
            <Skeleton width={64} height={36} />
          ) : error ? (
            <Typography variant="body2" color="text.secondary" sx={{ mt: 0.75 }}>
              {isUnavailable(error) ? "Not available on this server yet" : describeError(error).title}
            </Typography>
          ) : (
            <Typography variant="h4" component="p" sx={{ lineHeight: 1.3 }} data-testid={`kpi-${label}`}>
              {value}
            </Typography>
          )}
          {hint && !loading && !error && (
            <Typography variant="caption" color="text.secondary">
              {hint}
            </Typography>
          )}
        </Box>
      </Stack>
    </CardContent>
  );
  return (
    <Card sx={{ height: "100%" }}>
      {to ? (
        <CardActionArea component={RouterLink} to={to} sx={{ height: "100%" }}>
          {body}
        </CardActionArea>
      ) : (
        body
      )}
    </Card>
  );
}
