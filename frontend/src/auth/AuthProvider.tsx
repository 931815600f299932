import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { User as OidcUser, UserManager } from "oidc-client-ts";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/errors";
import { onUnauthorized, setTokenSource } from "../api/session";
import type { AuthConfig, Me } from "../api/types";
import * as builtin from "./builtinSession";
import { AuthContext, type AuthContextValue, type AuthStatus } from "./context";
import { CALLBACK_PATH, getUserManager } from "./oidc";

interface State {
  status: AuthStatus;
  config?: AuthConfig;
  me?: Me;
  notice?: string;
  bootError?: unknown;
}

async function fetchConfig(): Promise<AuthConfig> {
  let response: Response;
  try {
    response = await fetch(`${window.location.origin}/api/auth/config`, { headers: { Accept: "application/json" } });
  } catch (cause) {
    throw ApiError.network(cause);
  }
  const body = await response.json().catch(() => undefined);
  if (!response.ok) throw ApiError.fromBody(response.status, body);
  return body as AuthConfig;
}

const fetchMe = () => unwrap(api.GET("/api/auth/me"));

export const SESSION_ENDED = "Your session has ended. Sign in again to continue where you were.";

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  const oidcUser = useRef<OidcUser | null>(null);
  const manager = useRef<UserManager | null>(null);

  const endSession = useCallback(
    (notice?: string) => {
      builtin.end();
      oidcUser.current = null;
      void manager.current?.removeUser().catch(() => undefined);
      queryClient.clear();
      setState((s) => ({ status: "anonymous", config: s.config, notice }));
    },
    [queryClient],
  );

  // Boot: which login does this server use, and is there a session to resume?
  useEffect(() => {
    let cancelled = false;
    const update = (next: State) => {
      if (!cancelled) setState(next);
    };
    (async () => {
      let config: AuthConfig;
      try {
        config = await fetchConfig();
      } catch (error) {
        return update({ status: "unreachable", bootError: error });
      }
      if (config.mode === "builtin") {
        setTokenSource(builtin.builtinTokenSource);
        if (!builtin.resume()) return update({ status: "anonymous", config });
        try {
          update({ status: "authenticated", config, me: await fetchMe() });
        } catch {
          builtin.end();
          update({ status: "anonymous", config });
        }
        return;
      }
      const um = getUserManager(config);
      manager.current = um;
      um.events.addUserLoaded((user) => {
        oidcUser.current = user;
      });
      um.events.addUserUnloaded(() => {
        oidcUser.current = null;
      });
      setTokenSource({
        accessToken: () => oidcUser.current?.access_token ?? null,
        refresh: () =>
          um
            .signinSilent()
            .then((user) => {
              oidcUser.current = user;
              return !!user;
            })
            .catch(() => false),
      });
      if (window.location.pathname === CALLBACK_PATH) return update({ status: "anonymous", config });
      try {
        let user = await um.getUser();
        if (user?.expired && user.refresh_token) user = await um.signinSilent();
        if (!user || user.expired) return update({ status: "anonymous", config });
        oidcUser.current = user;
        update({ status: "authenticated", config, me: await fetchMe() });
      } catch {
        update({ status: "anonymous", config });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  // A 401 that a refresh could not fix ends the session; RequireAuth then sends the user to login.
  useEffect(() => onUnauthorized(() => endSession(SESSION_ENDED)), [endSession]);

  const signIn = useCallback(async (username: string, password: string) => {
    await builtin.signIn(username, password);
    try {
      const me = await fetchMe();
      setState((s) => ({ status: "authenticated", config: s.config, me }));
    } catch (error) {
      builtin.end();
      throw error;
    }
  }, []);

  const signInWithProvider = useCallback(
    async (returnTo: string) => {
      if (!state.config) return;
      await getUserManager(state.config).signinRedirect({ state: { returnTo } });
    },
    [state.config],
  );

  const completeProviderSignIn = useCallback(async () => {
    if (!state.config) return null;
    const user = await getUserManager(state.config).signinCallback();
    if (!user) return null; // a silent renew inside an iframe: nothing to show
    oidcUser.current = user;
    const me = await fetchMe();
    setState((s) => ({ status: "authenticated", config: s.config, me }));
    return (user.state as { returnTo?: string } | undefined)?.returnTo ?? "/";
  }, [state.config]);

  const signOut = useCallback(async () => {
    const um = manager.current;
    if (um) {
      // the provider ends its session too, then sends the browser back to /login
      queryClient.clear();
      await um.signoutRedirect().catch(() => endSession());
      return;
    }
    endSession();
  }, [endSession, queryClient]);

  const retry = useCallback(() => {
    setState({ status: "loading" });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<AuthContextValue>(
    () => ({ ...state, signIn, signInWithProvider, completeProviderSignIn, signOut, retry }),
    [state, signIn, signInWithProvider, completeProviderSignIn, signOut, retry],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
