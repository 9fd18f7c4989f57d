/**
 * Calls an IAM-authorized HTTP API: signs each request for `execute-api` with SigV4
 * (`@smithy/signature-v4`) using whatever credentials it is given — typically the stage
 * role assumed through `credentialsFor({ kind: "assume-role", … })` — and turns refusals
 * into errors that say what happened. Usable from a caller's Lambda or a script: Node only, as
 * `credentials.ts` is. It hashes with the SDK's Node SHA-256 (`Hash` of `@smithy/core/serde`, what
 * `@smithy/hash-node` re-exports and the SDK's clients sign with in Node), the signing hash of
 * every signer of this project; it runs on Node's own `crypto`, which the project's other digests
 * (cache keys, content hashes) call directly, so there is one SHA-256 implementation. In a browser
 * that export throws, and a browser build would pass a Web Crypto hash instead.
 */
import { Hash } from "@smithy/core/serde";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

import { retryAfterMs, withBackoff } from "../lambdas/backoff";

/**
 * How `call` tries again after a 429 (API Gateway's throttle) or a 503 (the function's answer when
 * AWS throttled it): it waits at least the answer's `Retry-After`, plus a jittered, exponentially
 * growing step, and never past `budgetMs` from the first attempt or past the request's signal.
 */
export interface RetryOptions {
    /** Attempts in all, the first included; 1 turns retries off. @default 3 */
    readonly maxAttempts?: number;
    /** The first jittered step is up to this long; each later one up to twice as long. @default 200 */
    readonly baseMs?: number;
    /** Largest jittered step. @default 5000 */
    readonly capMs?: number;
    /** Longest time from the first attempt to the start of the last. @default 30000 */
    readonly budgetMs?: number;
    /** @default an abortable setTimeout */
    readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** @default Math.random */
    readonly random?: () => number;
}

/** Methods whose retry cannot do a thing twice; only these are retried. */
const IDEMPOTENT = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"];

/** Statuses that say "not now": API Gateway's throttle and a dependency that was busy. */
const RETRIED_STATUSES = [429, 503];

/** A wait that ends early, rejecting, when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) {
            reject(signal.reason);
            return;
        }
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}

export interface SignedApiClientOptions {
    /** Base URL of the API, e.g. `https://abc123.execute-api.ap-northeast-1.amazonaws.com`. */
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
    /** Per-request timeout in milliseconds. @default 10000 */
    readonly timeoutMs?: number;
    /** Clock used for the signature date and the retry budget. @default () => new Date() */
    readonly now?: () => Date;
    /** Retries of a 429 or 503 answer, honouring Retry-After. */
    readonly retry?: RetryOptions;
}

export interface ApiRequest {
    readonly method?: string;
    /** Path below the endpoint, starting with `/`. */
    readonly path: string;
    readonly query?: Record<string, string>;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    /** Cancels the request (its socket too), in addition to the client's timeout. */
    readonly signal?: AbortSignal;
}

export interface ApiResponse<T = unknown> {
    readonly status: number;
    readonly headers: Record<string, string>;
    /** Parsed JSON when the response is JSON, the raw text otherwise. */
    readonly body: T;
}

/**
 * Why a request was refused. Only `not-authorized` (API Gateway's IAM decision) and
 * `refused-by-handler` (the function's own refusal, an `error` field in the body) are decisions
 * about an authenticated caller; the rest mean the request was never authenticated.
 */
export type Refusal =
    | "unsigned"
    | "expired"
    | "bad-signature"
    | "unknown-credentials"
    | "not-authorized"
    | "refused-by-handler"
    | "throttled"
    | "other";

/** A request the API refused or could not answer. */
export class ApiCallError extends Error {
    readonly refusal: Refusal;

    constructor(
        message: string,
        readonly status: number,
        readonly body: unknown,
        readonly requestId: string | undefined,
        /** The answer's `Retry-After`, in ms, when it had one. */
        readonly retryAfterMs?: number,
    ) {
        super(message);
        this.name = "ApiCallError";
        this.refusal = classifyRefusal(status, body);
    }
}

const messageOf = (body: unknown) => (typeof body === "object" && body !== null ? String((body as Record<string, unknown>).message ?? "") : String(body));

/** Classifies a refusal by API Gateway's message (its wording for each IAM authentication failure). */
export function classifyRefusal(status: number, body: unknown): Refusal {
    if (status === 429) return "throttled";
    if (status !== 403) return "other";
    if (typeof body === "object" && body !== null && typeof (body as Record<string, unknown>).error === "string") return "refused-by-handler";
    const message = messageOf(body);
    if (/expired/i.test(message)) return "expired";
    if (/Missing Authentication Token/i.test(message)) return "unsigned";
    if (/signature we calculated does not match|Authorization header requires|Credential should be scoped|must sign/i.test(message)) return "bad-signature";
    if (/security token .* invalid|Invalid(ClientTokenId| key)/i.test(message)) return "unknown-credentials";
    if (/^Forbidden$|is not authorized to perform/i.test(message.trim())) return "not-authorized";
    return "other";
}

const EXPLANATIONS: Record<Refusal, string> = {
    expired: "the signature or the credentials expired; check the clock and refresh the credentials",
    unsigned: "the request was not signed, or the route does not exist",
    "bad-signature": "the request was changed after signing, or signed for another host, region or service",
    "unknown-credentials": "the credentials are not known to AWS",
    "not-authorized": "the caller's role has no execute-api:Invoke right on this route",
    "refused-by-handler": "the function refused this caller",
    throttled: "throttled; retry with backoff",
    other: "",
};

export function createSignedApiClient(options: SignedApiClientOptions) {
    const endpoint = new URL(options.endpoint);
    if (endpoint.protocol !== "https:" && !["127.0.0.1", "localhost", "[::1]"].includes(endpoint.hostname)) {
        throw new Error(`endpoint must be https (plain http only to loopback), got '${options.endpoint}'`);
    }
    const signer = new SignatureV4({ service: "execute-api", region: options.region, credentials: options.credentials, sha256: Hash.bind(null, "sha256") });
    const timeoutMs = options.timeoutMs ?? 10_000;
    const now = options.now ?? (() => new Date());
    const basePath = endpoint.pathname.replace(/\/$/, "");
    const retry = options.retry ?? {};
    if (retry.maxAttempts !== undefined && (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1)) {
        throw new Error(`retry.maxAttempts must be a positive integer, got '${retry.maxAttempts}'`);
    }

    /** The signed request, ready to send (exposed so callers can inspect or log what is signed). */
    async function sign(request: ApiRequest): Promise<HttpRequest> {
        if (!request.path.startsWith("/")) {
            throw new Error(`path must start with '/', got '${request.path}'`);
        }
        const unsigned = new HttpRequest({
            method: request.method ?? "GET",
            protocol: endpoint.protocol,
            hostname: endpoint.hostname,
            port: endpoint.port ? Number(endpoint.port) : undefined,
            path: `${basePath}${request.path}`,
            query: request.query,
            headers: {
                host: endpoint.host,
                accept: "application/json",
                ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
                ...request.headers,
            },
            body: request.body,
        });
        return (await signer.sign(unsigned, { signingDate: now() })) as HttpRequest;
    }

    /** Sends an already signed (or deliberately unsigned) request. */
    async function send<T = unknown>(request: HttpRequest, signal?: AbortSignal): Promise<ApiResponse<T>> {
        const url = new URL(`${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ""}${request.path}`);
        for (const [key, value] of Object.entries(request.query ?? {})) {
            url.searchParams.set(key, String(value));
        }
        const headers = { ...request.headers };
        delete headers.host; // fetch sets it from the URL
        const response = await fetch(url, {
            method: request.method,
            headers,
            body: request.body as string | undefined,
            signal: signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]) : AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        const contentType = response.headers.get("content-type") ?? "";
        let body: unknown = text;
        if (contentType.includes("json") && text) {
            try {
                body = JSON.parse(text);
            } catch {
                body = text;
            }
        }
        const responseHeaders = Object.fromEntries(response.headers.entries());
        if (!response.ok) {
            const requestId = responseHeaders["apigw-requestid"] ?? responseHeaders["x-amzn-requestid"];
            const hint = EXPLANATIONS[classifyRefusal(response.status, body)];
            const detail = typeof body === "string" ? body.slice(0, 200) : JSON.stringify(body).slice(0, 200);
            throw new ApiCallError(
                `${request.method} ${request.path} -> ${response.status}${hint ? ` (${hint})` : ""}: ${detail}`,
                response.status,
                body,
                requestId,
                retryAfterMs(responseHeaders["retry-after"], now().getTime()),
            );
        }
        return { status: response.status, headers: responseHeaders, body: body as T };
    }

    return {
        sign,
        send,
        /**
         * Signs and sends; throws `ApiCallError` on any non-2xx status. A 429 or 503 to an
         * idempotent method is tried again (signed anew) as `retry` says.
         */
        async call<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>> {
            const idempotent = IDEMPOTENT.includes((request.method ?? "GET").toUpperCase());
            const started = now().getTime();
            return withBackoff(
                async () => send<T>(await sign(request), request.signal),
                (error) =>
                    idempotent && error instanceof ApiCallError && RETRIED_STATUSES.includes(error.status) && !request.signal?.aborted
                        ? { afterMs: error.retryAfterMs ?? 0 }
                        : false,
                {
                    maxAttempts: retry.maxAttempts ?? 3,
                    baseMs: retry.baseMs ?? 200,
                    capMs: retry.capMs ?? 5000,
                    deadline: started + (retry.budgetMs ?? 30_000),
                    sleep: (ms) => (retry.sleep ?? abortableSleep)(ms, request.signal),
                    random: retry.random,
                    now: () => now().getTime(),
                },
            );
        },
    };
}

export type SignedApiClient = ReturnType<typeof createSignedApiClient>;
