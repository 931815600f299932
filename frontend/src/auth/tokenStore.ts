/** Built-in issuer tokens: kept in memory, mirrored to sessionStorage so a reload keeps the session (per tab). */
import type { TokenResponse } from "../api/types";

const KEY = "modelhub.session";

export interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  /** epoch milliseconds */
  expiresAt: number;
  refreshExpiresAt: number | null;
}

let current: StoredTokens | null = null;

export function fromResponse(response: TokenResponse, now = Date.now()): StoredTokens {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? null,
    expiresAt: now + response.expires_in * 1000,
    refreshExpiresAt: response.refresh_expires_in ? now + response.refresh_expires_in * 1000 : null,
  };
}

export function saveTokens(tokens: StoredTokens): void {
  current = tokens;
  try {
    sessionStorage.setItem(KEY, JSON.stringify(tokens));
  } catch {
    // storage full or disabled: memory still works for this page
  }
}

export function loadTokens(): StoredTokens | null {
  if (current) return current;
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredTokens;
    if (typeof parsed.accessToken !== "string" || typeof parsed.expiresAt !== "number") return null;
    current = parsed;
    return parsed;
  } catch {
    return null;
  }
}

export function clearTokens(): void {
  current = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing to clear
  }
}

/** When to refresh: a minute before expiry, or at 80 % of a short lifetime; never sooner than 5 s. */
export function refreshDelay(tokens: StoredTokens, now = Date.now()): number {
  const remaining = tokens.expiresAt - now;
  const lead = Math.min(60_000, remaining * 0.2);
  return Math.max(5_000, remaining - lead);
}
