/**
 * A loopback stand-in for an IAM-authorized API Gateway HTTP API. It really verifies SigV4:
 * it recomputes each request's signature with the caller's secret (known to it, as AWS
 * knows them) and compares, refuses stale signatures and unknown or expired credentials,
 * then asks `authorize` whether the caller may invoke the route, and hands the handler a
 * payload 2.0 event whose `requestContext.authorizer.iam` names the caller, as API Gateway does.
 */
import { Hash } from "@smithy/core/serde";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { timingSafeEqual } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";

import { HttpEvent, HttpResponse } from "../../lambdas/http";

export interface KnownCredentials {
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
    /** The principal these credentials belong to, e.g. an assumed-role session ARN. */
    readonly arn: string;
    /** When the credentials stop being accepted. @default never */
    readonly expiresAt?: Date;
}

export interface SigV4ServerOptions {
    readonly region: string;
    /** Credentials AWS would recognise, by access key id (a Map, or a live lookup). */
    readonly credentials: { get(accessKeyId: string): KnownCredentials | undefined };
    /** Handlers by route key, e.g. `GET /whoami`. */
    readonly routes: Record<string, (event: HttpEvent) => Promise<HttpResponse>>;
    /**
     * Whether `callerArn` may `execute-api:Invoke` the route. A string refuses with that message
     * instead of IAM's (fault injection: an authentication failure in place of a decision).
     * @default everyone
     */
    readonly authorize?: (callerArn: string, routeKey: string) => boolean | string;
    /** Fault injection: answer unsigned requests as an API without IAM authorization would. @default never */
    readonly acceptUnsigned?: () => boolean;
    /** Largest clock skew accepted, in ms (API Gateway: 5 minutes). @default 300000 */
    readonly maxSkewMs?: number;
}

export interface SigV4Server {
    readonly url: string;
    /** One line per request: `<status> <method> <path> <caller or reason>`. */
    readonly log: string[];
    close(): Promise<void>;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function parseAmzDate(value: string): Date | undefined {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
    return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

type Verdict = { caller?: KnownCredentials; refusal?: string };

/** Checks a request's Authorization header, credentials, date and signed headers, then its signature. */
async function verify(options: SigV4ServerOptions, req: http.IncomingMessage, body: string, url: URL): Promise<Verdict> {
    const maxSkew = options.maxSkewMs ?? 5 * 60 * 1000;
    const header = req.headers.authorization;
    if (!header) {
        return { refusal: "Missing Authentication Token" };
    }
    const m = AUTH.exec(header);
    if (!m) {
        return { refusal: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'." };
    }
    const [, accessKeyId, , region, service, signedHeaderList, signature] = m;
    if (service !== "execute-api" || region !== options.region) {
        return { refusal: `Credential should be scoped to a valid region and to execute-api, not '${region}/${service}'.` };
    }
    const known = options.credentials.get(accessKeyId);
    if (!known) {
        return { refusal: "The security token included in the request is invalid." };
    }
    if (known.expiresAt && known.expiresAt.getTime() <= Date.now()) {
        return { refusal: "The security token included in the request is expired" };
    }
    if (known.sessionToken !== undefined && req.headers["x-amz-security-token"] !== known.sessionToken) {
        return { refusal: "The security token included in the request is invalid." };
    }
    const date = parseAmzDate(String(req.headers["x-amz-date"] ?? ""));
    if (!date) {
        return { refusal: "Missing or malformed X-Amz-Date." };
    }
    if (Math.abs(Date.now() - date.getTime()) > maxSkew) {
        return { refusal: `Signature expired: ${req.headers["x-amz-date"]} is now earlier or later than the accepted 5 minutes.` };
    }
    const signedHeaders = signedHeaderList.split(";");
    if (!signedHeaders.includes("host") || !signedHeaders.includes("x-amz-date")) {
        return { refusal: "The request must sign the host and x-amz-date headers." };
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
        const value = req.headers[name];
        if (value === undefined) {
            return { refusal: `Signed header '${name}' is missing.` };
        }
        headers[name] = Array.isArray(value) ? value.join(",") : value;
    }
    const expectedSignature = await signatureOf(options.region, { accessKeyId, known, date }, req, url, headers, body);
    if (expectedSignature.length !== signature.length || !timingSafeEqual(Buffer.from(expectedSignature), Buffer.from(signature))) {
        return {
            refusal:
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
        };
    }
    return { caller: known };
}

/** The signature the request should carry: recomputed with the caller's secret, over the headers it signed. */
async function signatureOf(
    region: string,
    signing: { accessKeyId: string; known: KnownCredentials; date: Date },
    req: http.IncomingMessage,
    url: URL,
    headers: Record<string, string>,
    body: string,
): Promise<string> {
    const { accessKeyId, known, date } = signing;
    const signer = new SignatureV4({
        service: "execute-api",
        region,
        credentials: { accessKeyId, secretAccessKey: known.secretAccessKey, sessionToken: known.sessionToken },
        sha256: Hash.bind(null, "sha256"),
    });
    const expected = await signer.sign(
        new HttpRequest({
            method: req.method,
            protocol: "http:",
            hostname: url.hostname,
            port: Number(url.port),
            path: url.pathname.split("/").map(decodeURIComponent).join("/"),
            query: Object.fromEntries(url.searchParams.entries()),
            headers,
            body: body || undefined,
        }),
        { signingDate: date },
    );
    return /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? "";
}

/** The payload 2.0 event API Gateway hands an IAM-authorized route: the caller in `authorizer.iam`. */
function eventFor(req: http.IncomingMessage, url: URL, caller: KnownCredentials, requestId: string): HttpEvent {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
        headers[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : String(v);
    }
    return {
        headers,
        rawPath: url.pathname,
        requestContext: {
            requestId,
            http: { method: req.method, path: url.pathname, sourceIp: "127.0.0.1" },
            authorizer: { iam: { accountId: caller.arn.split(":")[4], userArn: caller.arn, callerId: `AROA:${caller.arn.split("/").pop()}` } },
        },
    };
}

/** Answers one request, as API Gateway would: verified, routed, authorized, then handled; each answer logged. */
async function serve(options: SigV4ServerOptions, log: string[], req: http.IncomingMessage, res: http.ServerResponse, chunks: Buffer[]): Promise<void> {
    const body = Buffer.concat(chunks).toString();
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const routeKey = `${req.method} ${url.pathname}`;
    const reply = (status: number, payload: HttpResponse | { message: string }, note: string) => {
        log.push(`${status} ${routeKey} ${note}`);
        if ("statusCode" in payload) {
            res.writeHead(payload.statusCode, payload.headers).end(payload.body);
        } else {
            res.writeHead(status, { "content-type": "application/json", "apigw-requestid": "local" }).end(JSON.stringify(payload));
        }
    };
    if (!req.headers.authorization && options.acceptUnsigned?.()) {
        reply(200, { message: "unsigned request served" }, "unsigned accepted");
        return;
    }
    const { caller, refusal } = await verify(options, req, body, url);
    if (!caller) {
        reply(403, { message: refusal ?? "Forbidden" }, `refused: ${refusal}`);
        return;
    }
    const handler = options.routes[routeKey];
    if (!handler) {
        reply(404, { message: "Not Found" }, caller.arn);
        return;
    }
    const decision = options.authorize?.(caller.arn, routeKey) ?? true;
    if (decision !== true) {
        const message = typeof decision === "string" ? decision : "Forbidden";
        reply(403, { message }, `not authorized: ${caller.arn}`);
        return;
    }
    reply(200, await handler(eventFor(req, url, caller, `local-${log.length}`)), caller.arn);
}

export async function startSigV4Server(options: SigV4ServerOptions): Promise<SigV4Server> {
    const log: string[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            void serve(options, log, req, res, chunks).catch((error) => {
                log.push(`500 ${req.method} ${req.url} ${(error as Error).message}`);
                res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: "Internal Server Error" }));
            });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, log, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface StallingServer {
    readonly url: string;
    /** Each connection: when it opened, whether a request came on it, when it closed (ms since epoch). */
    readonly connections: { opened: number; requested: boolean; closed?: number }[];
    /** `<method> <url> <x-amz-target>` of each request, answered or not. */
    readonly requests: string[];
    close(): Promise<void>;
}

/**
 * A server that takes every request and never answers it (a stalled AWS endpoint), except
 * those `answer` returns a response for. It records when each connection opened and closed,
 * so a test sees whether a client really gave its request up.
 */
export async function startStallingServer(
    answer: (req: http.IncomingMessage, body: string) => { status: number; contentType: string; body: string } | undefined = () => undefined,
): Promise<StallingServer> {
    const connections: { opened: number; requested: boolean; closed?: number }[] = [];
    const requests: string[] = [];
    const sockets = new Map<import("net").Socket, { opened: number; requested: boolean; closed?: number }>();
    const server = http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url} ${req.headers["x-amz-target"] ?? ""}`.trim());
        const entry = sockets.get(req.socket);
        if (entry) entry.requested = true;
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const reply = answer(req, Buffer.concat(chunks).toString());
            if (reply) res.writeHead(reply.status, { "content-type": reply.contentType }).end(reply.body);
        });
    });
    server.on("connection", (socket) => {
        const entry: { opened: number; requested: boolean; closed?: number } = { opened: Date.now(), requested: false };
        connections.push(entry);
        sockets.set(socket, entry);
        socket.on("close", () => {
            entry.closed = Date.now();
            sockets.delete(socket);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        connections,
        requests,
        close: () =>
            new Promise((resolve) => {
                for (const socket of sockets.keys()) socket.destroy();
                server.close(() => resolve());
            }),
    };
}
