/**
 * One HTTP exchange with an AWS endpoint over Node's `http`/`https`, for the read-file
 * handler's S3 reads and Cognito Identity calls: kept-alive connections shared by the
 * container, a connection timeout and a silence timeout, and a cap on the body read. The
 * AWS SDK's clients are not used: their code would cost the cold start more than the rest of
 * the handler. Node's `https` rather than global `fetch`, whose first request loads undici.
 */
import * as http from "http";
import * as https from "https";

/** Connections are kept alive and shared by every caller of the container, as the SDK's handler does; made on first use. */
let agents: { "https:": https.Agent; "http:": http.Agent } | undefined;
function agentFor(protocol: string): http.Agent {
    agents ??= { "https:": new https.Agent({ keepAlive: true, maxSockets: 50 }), "http:": new http.Agent({ keepAlive: true, maxSockets: 50 }) };
    return protocol === "https:" ? agents["https:"] : agents["http:"];
}

/** A connection that did not open, or an answer that stopped coming, in time. */
export class TimeoutError extends Error {
    constructor(what: string) {
        super(what);
        this.name = "TimeoutError";
    }
}

/** How long a caller waits and how often it tries, for one AWS service's calls. */
export interface ConnectionOptions {
    /** Longest wait for a connection. @default 1000 */
    readonly connectionTimeoutMs?: number;
    /** Longest silence of an open connection, waiting for the service to answer or send more. @default 3000 */
    readonly requestTimeoutMs?: number;
    /** Attempts per call, as the SDK's `maxAttempts`: a 5xx, a throttling answer or a failed connection is tried again. @default 2 */
    readonly maxAttempts?: number;
}

/** An error an AWS service answered with, shaped as the SDK's service exceptions for `classifyAwsError`. */
export class AwsServiceError extends Error {
    readonly $fault: "client" | "server";
    readonly $metadata: { readonly httpStatusCode: number };
    constructor(service: string, code: string, status: number) {
        super(`${service} answered ${status} ${code}`);
        this.name = code;
        this.$fault = status >= 500 ? "server" : "client";
        this.$metadata = { httpStatusCode: status };
    }
}

/**
 * `once`, tried again while `transient` says a failure may pass and attempts remain; the SDK's
 * standard strategy waits up to 100 ms (jittered) before its second attempt, and so does this.
 */
export async function withRetries<T>(once: () => Promise<T>, maxAttempts: number, transient: (error: unknown) => boolean): Promise<T> {
    for (let attempts = 1; ; attempts++) {
        try {
            return await once();
        } catch (error) {
            if (attempts >= maxAttempts || !transient(error)) {
                throw error;
            }
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 100));
        }
    }
}

export interface Exchange {
    readonly protocol: string;
    readonly hostname: string;
    /** "" for the protocol's own. */
    readonly port: string;
    readonly method: "GET" | "POST";
    /** Path and query, escaped. */
    readonly path: string;
    readonly headers: Record<string, string>;
    readonly body?: string;
    /** Most bytes of the answer's body read; past it the answer is reported too large and not read on. */
    readonly limit: number;
    readonly connectionTimeoutMs: number;
    readonly requestTimeoutMs: number;
}

export interface Answer {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    /** The body, when within the limit. */
    readonly body: Buffer;
    /** Whether the body (or its announced length) went past the limit. */
    readonly tooLarge: boolean;
}

/** Sends one request; rejects only when no whole answer came (refused, reset, timed out). */
export function exchange(options: Exchange): Promise<Answer> {
    const transport = options.protocol === "https:" ? https : http;
    return new Promise<Answer>((resolve, reject) => {
        const request = transport.request({
            protocol: options.protocol,
            hostname: options.hostname,
            port: options.port || undefined,
            method: options.method,
            path: options.path,
            headers: options.headers,
            agent: agentFor(options.protocol),
        });
        let connectTimer: NodeJS.Timeout | undefined;
        let settled = false;
        const settle = (outcome: Answer | Error) => {
            if (settled) return;
            settled = true;
            clearTimeout(connectTimer);
            if (outcome instanceof Error) {
                request.destroy();
                reject(outcome);
            } else {
                resolve(outcome);
            }
        };
        request.on("socket", (socket) => {
            if (socket.connecting) {
                connectTimer = setTimeout(() => settle(new TimeoutError(`no connection within ${options.connectionTimeoutMs} ms`)), options.connectionTimeoutMs);
                socket.once("connect", () => clearTimeout(connectTimer));
            }
        });
        request.setTimeout(options.requestTimeoutMs, () => settle(new TimeoutError(`no answer for ${options.requestTimeoutMs} ms`)));
        request.on("error", (error) => settle(error));
        request.on("response", (response) => {
            const status = response.statusCode ?? 0;
            const tooLarge = () => {
                settle({ status, headers: response.headers, body: Buffer.alloc(0), tooLarge: true });
                // The rest is not wanted: this connection is not reused.
                request.destroy();
            };
            const announced = Number(response.headers["content-length"]);
            if (Number.isFinite(announced) && announced > options.limit) {
                tooLarge();
                return;
            }
            const chunks: Buffer[] = [];
            let received = 0;
            response.on("data", (chunk: Buffer) => {
                received += chunk.length;
                if (received > options.limit) {
                    tooLarge();
                    return;
                }
                chunks.push(chunk);
            });
            response.on("end", () => settle({ status, headers: response.headers, body: Buffer.concat(chunks), tooLarge: false }));
            response.on("error", (error) => settle(error));
            response.on("aborted", () => settle(new Error("the connection closed mid-answer")));
        });
        request.end(options.body);
    });
}
