/**
 * The built-in issuer's session outside React: tokens (memory + sessionStorage), a timer that
 * refreshes shortly before expiry, and one refresh at a time however many calls ask for it.
 */
import { isApiError } from "../api/errors";
import type { TokenSource } from "../api/session";
import { passwordLogin, refreshTokens } from "./builtin";
import { clearTokens, fromResponse, loadTokens, refreshDelay, saveTokens, type StoredTokens } from "./tokenStore";

let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<boolean> | null = null;

function schedule(tokens: StoredTokens): void {
  clearTimeout(timer);
  timer = setTimeout(() => void refresh(), refreshDelay(tokens));
}

export function refresh(): Promise<boolean> {
  if (inFlight) return inFlight;
  const tokens = loadTokens();
  if (!tokens?.refreshToken) return Promise.resolve(false);
  if (tokens.refreshExpiresAt && tokens.refreshExpiresAt < Date.now()) return Promise.resolve(false);
  inFlight = refreshTokens(tokens.refreshToken)
    .then((response) => {
      const next = fromResponse(response);
      if (!next.refreshToken) next.refreshToken = tokens.refreshToken;
      saveTokens(next);
      schedule(next);
      return true;
    })
    .catch((error: unknown) => {
      // offline for a moment: try again later; a real 401 on a call signs the user out
      if (isApiError(error) && error.status === 0) timer = setTimeout(() => void refresh(), 15_000);
      return false;
    })
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}

export async function signIn(username: string, password: string): Promise<void> {
  const tokens = fromResponse(await passwordLogin(username, password));
  saveTokens(tokens);
  schedule(tokens);
}

/** After a reload: resume the stored session (and its refresh timer), if there is one. */
export function resume(): boolean {
  const tokens = loadTokens();
  if (!tokens) return false;
  if (tokens.expiresAt - Date.now() < 5_000) void refresh();
  else schedule(tokens);
  return true;
}

export function end(): void {
  clearTimeout(timer);
  clearTokens();
}

export const builtinTokenSource: TokenSource = {
  accessToken: () => loadTokens()?.accessToken ?? null,
  refresh,
};
