// Logged-in users, held in memory only: never localStorage, sessionStorage, cookies or the URL.
// Several users can be logged in at once; one is active. A page reload forgets them all.
import { ApiError, request } from "./api.js";

const sessions = new Map(); // user id → { user, accessToken, refreshToken, expiresAt }
let activeId = null;
const listeners = new Set();

function notify(event) {
  for (const listener of listeners) listener(event);
}

export function onChange(listener) {
  listeners.add(listener);
}

function store(login) {
  sessions.set(login.user.id, {
    user: login.user,
    accessToken: login.access_token,
    refreshToken: login.refresh_token,
    expiresAt: Date.now() + login.expires_in * 1000,
  });
}

export async function logIn(email, password) {
  const login = await request("POST", "/v1/auth/login", { body: { email, password } });
  store(login);
  activeId = login.user.id;
  notify({ type: "login" });
  return login.user;
}

export function all() {
  return [...sessions.values()].map((session) => session.user);
}

export function active() {
  return activeId ? sessions.get(activeId) ?? null : null;
}

export function switchTo(userId) {
  if (!sessions.has(userId)) return;
  activeId = userId;
  notify({ type: "switch" });
}

/** Seconds until the active access token expires (0 when it has). */
export function secondsLeft() {
  const session = active();
  return session ? Math.max(0, Math.round((session.expiresAt - Date.now()) / 1000)) : 0;
}

function forget(userId, reason) {
  sessions.delete(userId);
  if (activeId === userId) activeId = sessions.keys().next().value ?? null;
  notify({ type: "signed-out", reason });
}

const refreshing = new Map(); // user id → the refresh in flight for that user

/**
 * Trades the active refresh token for new tokens; a dead refresh token signs the user out.
 * Concurrent callers share one request: sending the same refresh token twice would look like
 * token theft to the server, which then revokes the whole session.
 */
export function refresh() {
  const session = active();
  if (!session) return Promise.resolve();
  const userId = session.user.id;
  if (!refreshing.has(userId)) {
    refreshing.set(userId, refreshSession(session).finally(() => refreshing.delete(userId)));
  }
  return refreshing.get(userId);
}

async function refreshSession(session) {
  try {
    const login = await request("POST", "/v1/auth/refresh", { body: { refresh_token: session.refreshToken } });
    store(login);
    notify({ type: "refreshed" });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forget(session.user.id, `${session.user.email} was signed out: ${error.message}`);
      return;
    }
    throw error;
  }
}

export async function logOut() {
  const session = active();
  if (!session) return;
  try {
    await request("POST", "/v1/auth/logout", { body: { refresh_token: session.refreshToken }, token: session.accessToken });
  } finally {
    forget(session.user.id, `${session.user.email} logged out.`);
  }
}

/** An authenticated call as the active user; an expired access token is refreshed once. */
export async function call(method, path, options = {}) {
  const session = active();
  if (!session) throw new ApiError(401, { detail: "Please log in." });
  try {
    return await request(method, path, { ...options, token: session.accessToken });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "token_expired") throw error;
    await refresh();
    const renewed = active();
    if (!renewed || renewed.user.id !== session.user.id) throw error;
    return request(method, path, { ...options, token: renewed.accessToken });
  }
}
