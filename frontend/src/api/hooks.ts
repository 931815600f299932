/** TanStack Query hooks over the typed client, one place per resource. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { Role, User, UserCreate, UserUpdate } from "./types";

export const keys = {
  users: ["users"] as const,
  audit: ["audit"] as const,
  health: ["health"] as const,
  models: ["models"] as const,
  deployments: ["deployments"] as const,
  executions: ["executions"] as const,
};

/** A model's prediction log (refetched by the prediction card once its own request is logged). */
export const predictionLogKey = (modelId: string) => [...keys.models, modelId, "predictions"];

export function fetchUsers(args: { q?: string; role?: Role; cursor: string | null; limit: number }) {
  return unwrap(
    api.GET("/api/users", {
      params: { query: { q: args.q || undefined, role: args.role, limit: args.limit, cursor: args.cursor ?? undefined } },
    }),
  );
}

export interface AuditFilters {
  actor?: string;
  action?: string;
  entity_type?: string;
  entity_id?: string;
  since?: string;
  until?: string;
}

export function fetchAudit(filters: AuditFilters & { cursor: string | null; limit: number }) {
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== null && v !== ""));
  return unwrap(api.GET("/api/audit", { params: { query } }));
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UserCreate) => unwrap(api.POST("/api/users", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.users }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UserUpdate }): Promise<User> =>
      unwrap(api.PATCH("/api/users/{user_id}", { params: { path: { user_id: id } }, body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.users });
      void client.invalidateQueries({ queryKey: keys.audit });
    },
  });
}

export function useReadiness() {
  return useQuery({
    queryKey: [...keys.health, "ready"],
    // 503 still carries the per-component body: show it rather than an error
    queryFn: async () => {
      const { data, error, response } = await api.GET("/api/health/ready");
      if (data) return data;
      if (response.status === 503 && error && typeof error === "object" && "components" in error)
        return error as unknown as NonNullable<typeof data>;
      return unwrap(Promise.resolve({ data, error, response }));
    },
    refetchInterval: 30_000,
  });
}
