/**
 * One HTTP exchange with an AWS endpoint, for the read-file handler's S3 reads and Cognito
 * Identity calls, over the SDK's own transport, `@smithy/node-http-handler` (what the SDK's
 * clients send with in Node): kept-alive connections (the handler's agents: keep-alive, at most
 * 50 sockets per host) shared by every caller of the container, a connection timeout and a
 * silence timeout. What this module adds is the cap on the body read, the answer's body being a
 * stream the handler leaves to its caller, and the retries of `withRetries`. The SDK's clients
 * are not used: their code would cost the cold start more than the rest of the handler. Node's
 * `https` rather than global `fetch`, whose first request loads undici.
 */
import type { IncomingMessage } from "http";

import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpRequest } from "@smithy/protocol-http";

import { withBackoff } from "./backoff";

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
 * The read-file handler backs off further, within the request's remaining time (`readFile.ts`).
 */
export function withRetries<T>(once: () => Promise<T>, maxAttempts: number, transient: (error: unknown) => boolean): Promise<T> {
    return withBackoff(() => once(), transient, { maxAttempts, baseMs: 100, capMs: 100 });
}

/**
 * The container's transports, one per pair of timeouts (the read-file handler uses one pair), so
 * connections are kept alive across callers and requests; made on first use. A plain object, made
 * on first use too, so Pulumi's closure serializer (which cannot rebuild a Map) can capture it.
 */
let handlers: Record<string, NodeHttpHandler> | undefined;
function handlerFor(connectionTimeout: number, silence: number): NodeHttpHandler {
    handlers ??= {};
    // The silence timeout is the handler's `socketTimeout` (idle socket, the answer's body
    // included); its `requestTimeout` is a limit on the time to the answer's headers, which it only logs.
    return (handlers[`${connectionTimeout}/${silence}`] ??= new NodeHttpHandler({ connectionTimeout, socketTimeout: silence }));
}

export interface Exchange {
    /** The request, signed or not: protocol, host, port, method, path (escaped) and query, headers, body. */
    readonly request: HttpRequest;
    /** Most bytes of the answer's body read; past it the answer is reported too large and not read on. */
    readonly limit: number;
    readonly connectionTimeoutMs: number;
    readonly requestTimeoutMs: number;
}

export interface Answer {
    readonly status: number;
    /** Header names in lower case. */
    readonly headers: Record<string, string>;
    /** The body, when within the limit. */
    readonly body: Buffer;
    /** Whether the body (or its announced length) went past the limit. */
    readonly tooLarge: boolean;
}

/** Sends one request; rejects only when no whole answer came (refused, reset, timed out). */
export async function exchange(options: Exchange): Promise<Answer> {
    const { response } = await handlerFor(options.connectionTimeoutMs, options.requestTimeoutMs).handle(options.request);
    const { statusCode: status, headers } = response;
    const stream = response.body as IncomingMessage;
    const tooLarge = () => {
        // The rest is not wanted: this connection is not reused.
        stream.destroy();
        return { status, headers, body: Buffer.alloc(0), tooLarge: true };
    };
    const announced = Number(headers["content-length"]);
    if (Number.isFinite(announced) && announced > options.limit) {
        return tooLarge();
    }
    const chunks: Buffer[] = [];
    let received = 0;
    // Rejects when the connection closes mid-answer or falls silent (the handler destroys the stream).
    for await (const chunk of stream as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > options.limit) {
            return tooLarge();
        }
        chunks.push(chunk);
    }
    return { status, headers, body: Buffer.concat(chunks), tooLarge: false };
}
