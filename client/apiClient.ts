/**
 * Calls an IAM-authorized HTTP API: signs each request for `execute-api` with SigV4
 * (`@smithy/signature-v4`) using whatever credentials it is given — typically the stage
 * role assumed through `credentialsFor({ kind: "assume-role", … })` — and turns refusals
 * into errors that say what happened. Usable from a caller's Lambda or a script.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

export interface SignedApiClientOptions {
    /** Base URL of the API, e.g. `https://abc123.execute-api.ap-northeast-1.amazonaws.com`. */
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
    /** Per-request timeout in milliseconds. @default 10000 */
    readonly timeoutMs?: number;
    /** Clock used for the signature date. @default () => new Date() */
    readonly now?: () => Date;
}

export interface ApiRequest {
    readonly method?: string;
    /** Path below the endpoint, starting with `/`. */
    readonly path: string;
    readonly query?: Record<string, string>;
    readonly headers?: Record<string, string>;
    readonly body?: string;
}

export interface ApiResponse<T = unknown> {
    readonly status: number;
    readonly headers: Record<string, string>;
    /** Parsed JSON when the response is JSON, the raw text otherwise. */
    readonly body: T;
}

/** A request the API refused or could not answer. */
export class ApiCallError extends Error {
    constructor(
        message: string,
        readonly status: number,
        readonly body: unknown,
        readonly requestId: string | undefined,
    ) {
        super(message);
        this.name = "ApiCallError";
    }
}

/** What an API Gateway IAM refusal most likely means, for the error message. */
function explainRefusal(status: number, body: unknown): string {
    const message = typeof body === "object" && body !== null ? String((body as Record<string, unknown>).message ?? "") : String(body);
    if (status === 403 && /expired/i.test(message)) {
        return "the signature or the credentials expired; check the clock and refresh the credentials";
    }
    if (status === 403 && /Missing Authentication Token/i.test(message)) {
        return "the request was not signed, or the route does not exist";
    }
    if (status === 403 && /signature we calculated does not match/i.test(message)) {
        return "the request was changed after signing, or signed for another host, region or service";
    }
    if (status === 403 && /security token .* invalid/i.test(message)) {
        return "the credentials are not known to AWS";
    }
    if (status === 403) {
        return "the caller's role has no execute-api:Invoke right on this route";
    }
    if (status === 429) {
        return "throttled; retry with backoff";
    }
    return "";
}

export function createSignedApiClient(options: SignedApiClientOptions) {
    const endpoint = new URL(options.endpoint);
    if (endpoint.protocol !== "https:" && !["127.0.0.1", "localhost", "[::1]"].includes(endpoint.hostname)) {
        throw new Error(`endpoint must be https (plain http only to loopback), got '${options.endpoint}'`);
    }
    const signer = new SignatureV4({ service: "execute-api", region: options.region, credentials: options.credentials, sha256: Sha256 });
    const timeoutMs = options.timeoutMs ?? 10_000;
    const now = options.now ?? (() => new Date());
    const basePath = endpoint.pathname.replace(/\/$/, "");

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
    async function send<T = unknown>(request: HttpRequest): Promise<ApiResponse<T>> {
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
            signal: AbortSignal.timeout(timeoutMs),
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
            const hint = explainRefusal(response.status, body);
            const detail = typeof body === "string" ? body.slice(0, 200) : JSON.stringify(body).slice(0, 200);
            throw new ApiCallError(
                `${request.method} ${request.path} -> ${response.status}${hint ? ` (${hint})` : ""}: ${detail}`,
                response.status,
                body,
                requestId,
            );
        }
        return { status: response.status, headers: responseHeaders, body: body as T };
    }

    return {
        sign,
        send,
        /** Signs and sends; throws `ApiCallError` on any non-2xx status. */
        async call<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>> {
            return send<T>(await sign(request));
        },
    };
}

export type SignedApiClient = ReturnType<typeof createSignedApiClient>;
