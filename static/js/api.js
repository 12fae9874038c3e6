// The one place that talks HTTP to /v1/ on the same origin. Errors come back as ApiError carrying
// the problem document's `detail` (plain words for people) and the field list of validation errors.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `The server answered ${status}.`);
    this.status = status;
    this.code = problem?.error?.code ?? "unknown";
    this.fields = problem?.error?.details?.fields ?? [];
    this.requestId = problem?.request_id ?? null;
  }
}

/**
 * @param {string} method
 * @param {string} path  e.g. "/v1/accounts"
 * @param {{body?: object, token?: string, idempotencyKey?: string, accept?: string}} options
 */
export async function request(method, path, { body, token, idempotencyKey, accept } = {}) {
  const headers = { Accept: accept ?? "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, { detail: "The service cannot be reached. Check your connection and try again." });
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") ?? "";
  if (!response.ok) {
    const problem = type.includes("json") ? await response.json().catch(() => null) : null;
    throw new ApiError(response.status, problem);
  }
  if (type.includes("json")) return response.json();
  return response.blob();
}

/** A fresh key for one money-moving action; reused on retries and double clicks of that action. */
export function newIdempotencyKey() {
  // crypto.randomUUID exists only in secure contexts; getRandomValues works everywhere.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
