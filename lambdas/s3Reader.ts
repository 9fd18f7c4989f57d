/**
 * The two S3 calls the read-file handler makes, as SigV4-signed HTTPS GETs: GetObject of one
 * key and ListObjectsV2 of one prefix (max-keys 1). Not the AWS SDK's S3 client, whose
 * request schemas for every S3 operation cannot be shaken out of a bundle and cost the cold
 * start more than the rest of the handler: the signer (`@smithy/signature-v4`), its SHA-256
 * (`Hash` of `@smithy/core/serde`, which `@smithy/hash-node` re-exports) and the transport
 * (`@smithy/node-http-handler`, through `./awsHttp`) are the SDK's own.
 *
 * Failures are thrown as the SDK throws them, so `classifyAwsError` reads them alike: `name` is
 * S3's error code (`<Code>` of the XML body, or the status's name for a body without one),
 * `$metadata.httpStatusCode` the status and `$fault` "server" for a 5xx.
 */
import { Hash } from "@smithy/core/serde";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

import { Answer, AwsServiceError, ConnectionOptions, exchange, withRetries } from "./awsHttp";
import { TemporaryCredentials } from "./identityCredentials";

/** What GetObject returned: the text of the object, or that it is larger than allowed. */
export type S3ObjectRead = { readonly tooLarge: false; readonly text: string } | { readonly tooLarge: true };

/** The S3 calls of the read-file handler, signed with one user's credentials (the production reader or a test double). */
export interface S3Reader {
    /** GetObject of `key`; an object larger than `maxBytes` is reported, never read whole. */
    getObject(bucket: string, key: string, maxBytes: number): Promise<S3ObjectRead>;
    /** ListObjectsV2 of `prefix` with max-keys 1: how many keys it found (0 or 1). */
    countKeys(bucket: string, prefix: string): Promise<number>;
}

export interface S3ReaderOptions extends ConnectionOptions {
    readonly region: string;
    readonly credentials: Pick<TemporaryCredentials, "accessKeyId" | "secretAccessKey" | "sessionToken">;
    /**
     * An endpoint in place of S3's (`AWS_ENDPOINT_URL_S3`, as the SDK reads it), addressed
     * path-style (`<endpoint>/<bucket>/<key>`). @default virtual-hosted
     * `https://<bucket>.s3.<region>.amazonaws.com`, as the SDK addresses bucket names without dots
     */
    readonly endpoint?: string;
}

/** The error S3 answered with, shaped as the SDK's S3ServiceException for `classifyAwsError`. */
export class S3Error extends AwsServiceError {
    constructor(code: string, status: number) {
        super("S3", code, status);
    }
}

/** Names the SDK gives an error whose body names no code. */
const STATUS_NAMES: Record<number, string> = { 400: "BadRequest", 403: "Forbidden", 404: "NotFound", 500: "InternalError", 503: "ServiceUnavailable" };

/** The most of an error or listing body read: S3's answers to these calls are a few hundred bytes. */
const MAX_XML_BYTES = 64 * 1024;

/** RFC 3986 escaping of a key's segment, as SigV4 canonicalizes and S3 expects (`encodeURIComponent` leaves `!'()*`). */
function escape(value: string): string {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The one `<Code>` of an S3 error body, if it has a plain one. */
function errorCode(xml: string): string | undefined {
    return /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(xml)?.[1];
}

/** Whether a failed attempt may be tried again (as the SDK's standard retry strategy decides). */
function transient(error: unknown): boolean {
    if (error instanceof S3Error) {
        return error.$fault === "server" || error.$metadata.httpStatusCode === 429 || error.name === "SlowDown" || error.name === "Throttling";
    }
    // No answer at all: a refused, reset or timed-out connection.
    return true;
}

export function createS3Reader(options: S3ReaderOptions): S3Reader {
    const connectionTimeoutMs = options.connectionTimeoutMs ?? 1000;
    const requestTimeoutMs = options.requestTimeoutMs ?? 3000;
    const maxAttempts = options.maxAttempts ?? 2;
    const endpoint = options.endpoint ? new URL(options.endpoint) : undefined;
    const signer = new SignatureV4({
        service: "s3",
        region: options.region,
        credentials: { ...options.credentials },
        // SHA-256 and HMAC-SHA256: the SDK's own Node hash, over Node's crypto, as its clients
        // configure it. Bound here, not in a module constant: a bound function is native code,
        // which Pulumi's closure serializer cannot capture.
        sha256: Hash.bind(null, "sha256"),
        // S3 takes the path as sent, escaped once.
        uriEscapePath: false,
        applyChecksum: true,
    });

    /** Where a call on `bucket` goes: its protocol, host (and port), and the path prefix of the bucket. */
    function addressOf(bucket: string) {
        if (endpoint) {
            const base = endpoint.pathname.replace(/\/+$/, "");
            return { protocol: endpoint.protocol, hostname: endpoint.hostname, port: endpoint.port, bucketPath: `${base}/${escape(bucket)}` };
        }
        return { protocol: "https:", hostname: `${bucket}.s3.${options.region}.amazonaws.com`, port: "", bucketPath: "" };
    }

    /** `path`: after the bucket, escaped; "" for the bucket itself. */
    async function attempt(bucket: string, path: string, query: Record<string, string>, limit: number): Promise<Answer> {
        const { protocol, hostname, port, bucketPath } = addressOf(bucket);
        const host = port ? `${hostname}:${port}` : hostname;
        const signed = await signer.sign(
            new HttpRequest({
                method: "GET",
                protocol,
                hostname,
                port: port ? Number(port) : undefined,
                // Path-style, the bucket itself is `/<bucket>`, as the SDK sends a listing.
                path: `${bucketPath}${path}` || "/",
                query,
                headers: { host },
            }),
        );
        // A copy of the request signed (the signer clones it); the handler appends the query, escaped as it was signed.
        return exchange({ request: signed as HttpRequest, limit, connectionTimeoutMs, requestTimeoutMs });
    }

    /** One call, tried again once on a transient failure; an answer other than 200 is thrown as an S3Error. */
    function call(bucket: string, path: string, query: Record<string, string>, limit: number): Promise<Answer> {
        return withRetries(
            async () => {
                const answer = await attempt(bucket, path, query, Math.max(limit, MAX_XML_BYTES));
                if (answer.status === 200) {
                    return answer;
                }
                const code = answer.tooLarge ? undefined : errorCode(answer.body.toString("utf8"));
                throw new S3Error(code ?? STATUS_NAMES[answer.status] ?? `Http${answer.status}`, answer.status);
            },
            maxAttempts,
            transient,
        );
    }

    return {
        async getObject(bucket, key, maxBytes) {
            const path = `/${key.split("/").map(escape).join("/")}`;
            // The limit of the transfer is that of the object; error bodies get their own small one in `call`.
            const answer = await call(bucket, path, {}, maxBytes);
            if (answer.tooLarge || answer.body.length > maxBytes) {
                return { tooLarge: true };
            }
            return { tooLarge: false, text: answer.body.toString("utf8") };
        },
        async countKeys(bucket, prefix) {
            const answer = await call(bucket, "", { "list-type": "2", prefix, "max-keys": "1" }, MAX_XML_BYTES);
            const xml = answer.body.toString("utf8");
            const count = /<KeyCount>(\d{1,10})<\/KeyCount>/.exec(xml)?.[1];
            return count !== undefined ? Number(count) : (xml.match(/<Contents>/g) ?? []).length;
        },
    };
}
