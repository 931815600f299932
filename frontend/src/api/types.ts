import type { components } from "./schema";

type Schemas = components["schemas"];

export type User = Schemas["UserOut"];
export type UserCreate = Schemas["UserCreate"];
export type UserUpdate = Schemas["UserUpdate"];
export type Role = Schemas["Role"];
export type AuditEntry = Schemas["AuditEntry"];
export type Me = Schemas["MeOut"];
export type AuthConfig = Schemas["AuthConfigOut"];
export type TokenResponse = Schemas["TokenOut"];
export type Readiness = Schemas["Readiness"];

/** Every list endpoint answers this (DESIGN.md section 8). */
export interface Page<T> {
  items: T[];
  total?: number | null;
  next_cursor?: string | null;
}

export const ROLES: { value: Role; label: string; description: string }[] = [
  { value: "admin", label: "Admin", description: "Everything, including users and the audit log" },
  { value: "data_scientist", label: "Data scientist", description: "Registers models, manages deployments" },
  { value: "business_user", label: "Business user", description: "Triggers executions, reads results" },
  { value: "viewer", label: "Viewer", description: "Read-only access" },
];

export function roleLabel(role: string): string {
  return ROLES.find((r) => r.value === role)?.label ?? role;
}
