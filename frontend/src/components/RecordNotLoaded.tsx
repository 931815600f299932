import type { ReactNode } from "react";
import { Button } from "@mui/material";
import { Link as RouterLink } from "react-router";
import { isUnavailable } from "../api/errors";
import { EmptyState } from "./EmptyState";
import { ErrorState } from "./ErrorState";
import { PageHeader } from "./PageHeader";

/**
 * A detail page whose record did not load: "does not exist" with a way back to its list when the
 * server answers 404, otherwise the error with a retry.
 */
export function RecordNotLoaded({
  title,
  list,
  id,
  icon,
  missing,
  error,
  onRetry,
}: {
  /** e.g. "Deployment" */
  title: string;
  /** the list page, for the breadcrumb */
  list: { label: string; to: string };
  id: string;
  icon: ReactNode;
  missing: { title: string; description: string; action: string; actionIcon?: ReactNode };
  error: unknown;
  onRetry: () => void;
}) {
  return (
    <>
      <PageHeader title={title} crumbs={[list, { label: id }]} />
      {isUnavailable(error) ? (
        <EmptyState
          icon={icon}
          title={missing.title}
          description={missing.description}
          action={
            <Button variant="contained" component={RouterLink} to={list.to} startIcon={missing.actionIcon}>
              {missing.action}
            </Button>
          }
        />
      ) : (
        <ErrorState error={error} onRetry={onRetry} />
      )}
    </>
  );
}
