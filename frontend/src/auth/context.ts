import { createContext, useCallback, useContext } from "react";
import type { AuthConfig, Me } from "../api/types";
import type { Permission } from "./permissions";

export type AuthStatus = "loading" | "anonymous" | "authenticated" | "unreachable";

export interface AuthContextValue {
  status: AuthStatus;
  config?: AuthConfig;
  me?: Me;
  /** Why the last session ended, shown on the login page. */
  notice?: string;
  bootError?: unknown;
  signIn(username: string, password: string): Promise<void>;
  signInWithProvider(returnTo: string): Promise<void>;
  completeProviderSignIn(): Promise<string | null>;
  signOut(): Promise<void>;
  retry(): void;
}

export const AuthContext = createContext<AuthContextValue | null>(null);

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth must be used inside <AuthProvider>");
  return value;
}

/** `const can = useCan(); can("edit_models")` — mirrors the server's checks; the server still enforces. */
export function useCan(): (permission: Permission) => boolean {
  const { me } = useAuth();
  const permissions = me?.permissions;
  return useCallback((permission: Permission) => !!permissions?.includes(permission), [permissions]);
}

/** Only a relative path inside the app is a safe place to return to after signing in. */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/login")) return "/";
  return value;
}
