/** OpenID Connect login (Keycloak): authorization code + PKCE (S256), via oidc-client-ts. */
import { UserManager, WebStorageStateStore } from "oidc-client-ts";
import type { AuthConfig } from "../api/types";

export const CALLBACK_PATH = "/auth/callback";

let manager: UserManager | null = null;

export function getUserManager(config: AuthConfig): UserManager {
  if (manager) return manager;
  const origin = window.location.origin;
  manager = new UserManager({
    authority: config.issuer,
    client_id: config.web_client_id ?? "modelhub-web",
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    silent_redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}/login`,
    response_type: "code", // PKCE with S256 is what oidc-client-ts does for the code flow
    scope: "openid profile email",
    automaticSilentRenew: true, // refresh token grant shortly before expiry (iframe when there is none)
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
  return manager;
}
