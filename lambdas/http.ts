/**
 * HTTP plumbing shared by the handlers: API Gateway payload 2.0 shapes, JSON responses
 * and the mapping of failures onto status codes.
 */

/** The parts of an API Gateway HTTP API (payload 2.0) event the handlers read. */
export interface HttpEvent {
    readonly headers?: Record<string, string | undefined>;
    readonly rawPath?: string;
    readonly requestContext?: {
        readonly requestId?: string;
        readonly http?: { readonly method?: string; readonly path?: string; readonly sourceIp?: string };
        readonly authorizer?: {
            readonly iam?: {
                readonly accountId?: string;
                readonly userArn?: string;
                readonly userId?: string;
                readonly callerId?: string;
                readonly principalOrgId?: string | null;
                readonly cognitoIdentity?: unknown;
            };
        };
    };
}

export interface HttpResponse {
    readonly statusCode: number;
    readonly headers: Record<string, string>;
    readonly body: string;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

export function jsonResponse(statusCode: number, body: unknown, extraHeaders: Record<string, string> = {}): HttpResponse {
    return { statusCode, headers: { ...JSON_HEADERS, ...extraHeaders }, body: JSON.stringify(body) };
}

/** A client-facing error: a stable code, a sentence, and the request id for support. Never a stack. */
export function errorResponse(
    statusCode: number,
    error: string,
    message: string,
    requestId: string | undefined,
    extraHeaders: Record<string, string> = {},
): HttpResponse {
    return jsonResponse(statusCode, { error, message, requestId: requestId ?? null }, extraHeaders);
}

/** Header lookup ignoring case: API Gateway lower-cases names, other callers may not. */
export function header(event: HttpEvent, name: string): string | undefined {
    const headers = event.headers ?? {};
    const wanted = name.toLowerCase();
    for (const key of Object.keys(headers)) {
        if (key.toLowerCase() === wanted) {
            return headers[key];
        }
    }
    return undefined;
}

/** How a failed AWS call should be answered. */
export type AwsFailure = "throttled" | "unavailable" | "access-denied" | "not-found" | "expired-credentials" | "not-authorized" | "other";

const THROTTLING: readonly string[] = [
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "TooManyRequests",
    "LimitExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "ProvisionedThroughputExceededException",
];
const EXPIRED: readonly string[] = ["ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "InvalidToken"];

/** Classifies an AWS SDK v3 error by its name, fault and HTTP status. */
/** Node's codes for a connection to AWS that failed or broke off. */
const NETWORK_FAILURES = ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ECONNABORTED"];

export function classifyAwsError(error: unknown): AwsFailure {
    const e = (error ?? {}) as {
        name?: string;
        code?: string;
        Code?: string;
        $fault?: string;
        $metadata?: { httpStatusCode?: number };
        $retryable?: { throttling?: boolean };
    };
    const name = e.name ?? e.Code ?? "";
    const status = e.$metadata?.httpStatusCode;
    if (THROTTLING.includes(name) || e.$retryable?.throttling === true || status === 429) {
        return "throttled";
    }
    if (EXPIRED.includes(name)) {
        return "expired-credentials";
    }
    if (name === "AccessDenied" || name === "AccessDeniedException" || name === "Forbidden") {
        return "access-denied";
    }
    if (name === "NoSuchKey" || name === "NotFound") {
        return "not-found";
    }
    if (name === "NotAuthorizedException") {
        return "not-authorized";
    }
    if (status === 503 || name === "ServiceUnavailable" || name === "InternalErrorException" || e.$fault === "server") {
        return "unavailable";
    }
    // AWS did not answer in time, or the connection failed: the caller may try again later.
    if (name === "TimeoutError" || NETWORK_FAILURES.includes(e.code ?? "")) {
        return "unavailable";
    }
    return "other";
}

/** Seconds a client should wait before retrying after a throttled or unavailable dependency. */
export const RETRY_AFTER_SECONDS = "1";
