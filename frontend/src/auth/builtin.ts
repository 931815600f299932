/** The built-in issuer's token endpoint (embedded mode): password and refresh_token grants. */
import { ApiError } from "../api/errors";
import type { TokenResponse } from "../api/types";

async function postToken(form: Record<string, string>): Promise<TokenResponse> {
  let response: Response;
  try {
    response = await fetch(`${window.location.origin}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(form).toString(),
    });
  } catch (cause) {
    throw ApiError.network(cause);
  }
  const body = await response.json().catch(() => undefined);
  if (!response.ok) throw ApiError.fromBody(response.status, body);
  return body as TokenResponse;
}

export function passwordLogin(username: string, password: string): Promise<TokenResponse> {
  return postToken({ grant_type: "password", username, password });
}

export function refreshTokens(refreshToken: string): Promise<TokenResponse> {
  return postToken({ grant_type: "refresh_token", refresh_token: refreshToken });
}
