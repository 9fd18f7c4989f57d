/**
 * The production S3 reader of the read-file handler (`createS3Reader`): the requests it sends,
 * checked by a loopback S3 that verifies their SigV4 signatures as S3 does (recomputed with
 * the SDK's signer), and how it reads S3's answers: objects, listings, error codes, sizes,
 * retries and timeouts. The loopback S3 hashes with the project's one SHA-256 (the SDK's Node
 * hash, as the reader does); that this hash is as SigV4 requires is pinned by known answers: AWS's
 * published signature of its GetObject example, and the hash of the empty body.
 */
import { Hash } from "@smithy/core/serde";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import * as assert from "assert";
import { timingSafeEqual } from "crypto";
import * as http from "http";
import https = require("https");
import { AddressInfo } from "net";

import { classifyAwsError } from "../lambdas/http";
import { createS3Reader, S3Error, S3ReaderOptions } from "../lambdas/s3Reader";
import { withUnansweredLookup } from "./support/unansweredLookup";

const REGION = "eu-west-1";
const BUCKET = "user-files-reader";
const KEY = "cognito-test/eu-west-1:0f1e2d3c-aaaa-4bbb-8ccc-123456789abc/data.txt";
const CREDENTIALS = { accessKeyId: "ASIAREADERTEST", secretAccessKey: "reader-secret", sessionToken: "reader-session-token" };

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

interface Seen {
    readonly method: string;
    /** Path as sent, still escaped. */
    readonly rawPath: string;
    readonly query: Record<string, string>;
    readonly signedHeaders: string[];
    readonly headers: http.IncomingHttpHeaders;
}

/** `stallAfter`: bytes of the body sent before the answer falls silent; `resetAfter`: before the connection is cut. */
type Reply = { status: number; headers?: Record<string, string | number>; body?: string | Buffer; chunked?: boolean; stallAfter?: number; resetAfter?: number } | "hang";

/**
 * A loopback S3, path-style: refuses any request whose signature it does not recompute with
 * the secret and session token it knows, then answers as `reply` says.
 */
async function startVerifyingS3(reply: (seen: Seen) => Reply) {
    const seen: Seen[] = [];
    const refusals: string[] = [];
    const hanging: http.ServerResponse[] = [];
    let connections = 0;
    const refuse = (res: http.ServerResponse, code: string, why: string) => {
        refusals.push(`${code}: ${why}`);
        res.writeHead(403, { "content-type": "application/xml" }).end(`<Error><Code>${code}</Code><Message>${why}</Message></Error>`);
    };
    const server = http.createServer((req, res) => {
        req.resume();
        req.on("end", () => {
            void (async () => {
                const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
                const m = AUTH.exec(String(req.headers.authorization ?? ""));
                if (!m) return refuse(res, "AccessDenied", "no SigV4 Authorization header for s3");
                const [, accessKeyId, , region, signedList, signature] = m;
                if (accessKeyId !== CREDENTIALS.accessKeyId) return refuse(res, "InvalidAccessKeyId", accessKeyId);
                if (region !== REGION) return refuse(res, "AuthorizationHeaderMalformed", `region ${region}`);
                if (req.headers["x-amz-security-token"] !== CREDENTIALS.sessionToken) return refuse(res, "InvalidToken", "session token");
                const signedHeaders = signedList.split(";");
                const headers: Record<string, string> = {};
                for (const name of signedHeaders) headers[name] = String(req.headers[name]);
                const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(req.headers["x-amz-date"]));
                if (!date) return refuse(res, "AccessDenied", "x-amz-date");
                const query = Object.fromEntries(url.searchParams.entries());
                const signer = new SignatureV4({ service: "s3", region: REGION, credentials: CREDENTIALS, sha256: Hash.bind(null, "sha256"), uriEscapePath: false });
                const expected = await signer.sign(
                    new HttpRequest({ method: req.method, protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers }),
                    { signingDate: new Date(Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6])) },
                );
                const recomputed = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))![1];
                if (!timingSafeEqual(Buffer.from(recomputed), Buffer.from(signature))) {
                    return refuse(res, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
                }
                const request = { method: req.method ?? "", rawPath: url.pathname, query, signedHeaders, headers: req.headers };
                seen.push(request);
                const answer = reply(request);
                if (answer === "hang") {
                    hanging.push(res);
                    return;
                }
                const body = answer.body ?? "";
                const length = answer.chunked ? {} : { "content-length": Buffer.byteLength(body) };
                res.writeHead(answer.status, { "content-type": "application/xml", ...length, ...answer.headers });
                if (answer.stallAfter !== undefined) {
                    res.write(Buffer.from(body).subarray(0, answer.stallAfter));
                    hanging.push(res);
                } else if (answer.resetAfter !== undefined) {
                    res.write(Buffer.from(body).subarray(0, answer.resetAfter), () => res.destroy());
                } else if (answer.chunked) {
                    const bytes = Buffer.from(body);
                    for (let i = 0; i < bytes.length; i += 4) res.write(bytes.subarray(i, i + 4));
                    res.end();
                } else {
                    res.end(body);
                }
            })();
        });
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url,
        seen,
        refusals,
        /** TCP connections accepted so far. */
        connections: () => connections,
        close: () => {
            for (const res of hanging) res.destroy();
            server.closeAllConnections();
            return new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

const objectAt = (key: string, text: string) => (seen: Seen) =>
    seen.rawPath === `/${BUCKET}/${key.split("/").map(encodeURIComponent).join("/")}` ? { status: 200, headers: { "content-type": "text/plain" }, body: text } : { status: 404, body: "<Error><Code>NoSuchKey</Code></Error>" };

describe("S3 reader of the read-file handler (signed GETs)", () => {
    const servers: { close(): Promise<void> }[] = [];
    afterEach(async () => {
        await Promise.all(servers.splice(0).map((s) => s.close()));
    });
    const s3 = async (reply: (seen: Seen) => Reply) => {
        const server = await startVerifyingS3(reply);
        servers.push(server);
        return server;
    };
    const readerFor = (url: string, options: Partial<S3ReaderOptions> = {}) => createS3Reader({ region: REGION, credentials: CREDENTIALS, endpoint: url, ...options });

    it("signs GetObject as S3 verifies it: host, x-amz-date, x-amz-security-token and x-amz-content-sha256 signed", async () => {
        const server = await s3(objectAt(KEY, "hello, ünïcode"));
        const read = await readerFor(server.url).getObject(BUCKET, KEY, 1024);
        assert.deepStrictEqual(read, { tooLarge: false, text: "hello, ünïcode" });
        assert.deepStrictEqual(server.refusals, []);
        const [request] = server.seen;
        assert.strictEqual(request.method, "GET");
        assert.strictEqual(request.rawPath, `/${BUCKET}/cognito-test/eu-west-1%3A0f1e2d3c-aaaa-4bbb-8ccc-123456789abc/data.txt`, "the key is escaped once, path-style");
        for (const name of ["host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]) {
            assert.ok(request.signedHeaders.includes(name), `${name} is signed: ${request.signedHeaders.join(";")}`);
        }
        assert.strictEqual(request.headers["x-amz-content-sha256"], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "the hash of the empty body");
        assert.strictEqual(request.headers.host, new URL(server.url).host);
    });

    it("is refused by that S3 when signed with another secret (the check is not vacuous)", async () => {
        const server = await s3(objectAt(KEY, "x"));
        const reader = createS3Reader({ region: REGION, credentials: { ...CREDENTIALS, secretAccessKey: "not-the-secret" }, endpoint: server.url });
        await assert.rejects(reader.getObject(BUCKET, KEY, 1024), (error: S3Error) => {
            assert.strictEqual(error.name, "SignatureDoesNotMatch");
            assert.strictEqual(error.$metadata.httpStatusCode, 403);
            return true;
        });
        assert.strictEqual(server.refusals.length, 1, "a 403 is not tried again");
    });

    it("lists one key of a prefix with ListObjectsV2 and reads KeyCount, or counts Contents", async () => {
        const listings = [
            "<ListBucketResult><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys></ListBucketResult>",
            `<ListBucketResult><Contents><Key>${KEY}</Key></Contents><KeyCount>1</KeyCount></ListBucketResult>`,
            `<ListBucketResult><Contents><Key>${KEY}</Key></Contents></ListBucketResult>`,
            "<ListBucketResult><Name>user-files-reader</Name></ListBucketResult>",
        ];
        const server = await s3(() => ({ status: 200, body: listings.shift() }));
        const reader = readerFor(server.url);
        const counts: number[] = [];
        for (let i = 0; i < 4; i++) counts.push(await reader.countKeys(BUCKET, KEY));
        assert.deepStrictEqual(counts, [0, 1, 1, 0], "a listing with neither KeyCount nor Contents finds nothing");
        assert.deepStrictEqual(server.refusals, []);
        assert.strictEqual(server.seen[0].rawPath, `/${BUCKET}`);
        assert.deepStrictEqual(server.seen[0].query, { "list-type": "2", prefix: KEY, "max-keys": "1" });
    });

    describe("S3's refusals, thrown as the SDK names them", () => {
        const cases: [string, number, string | undefined, string, ReturnType<typeof classifyAwsError>][] = [
            ["a missing key", 404, "NoSuchKey", "NoSuchKey", "not-found"],
            ["a denied read", 403, "AccessDenied", "AccessDenied", "access-denied"],
            ["expired credentials", 400, "ExpiredToken", "ExpiredToken", "expired-credentials"],
            ["a 404 without a body", 404, undefined, "NotFound", "not-found"],
            ["a 403 without a body", 403, undefined, "Forbidden", "access-denied"],
            ["a code that is not a plain name", 400, "<b>x</b>", "BadRequest", "other"],
        ];
        for (const [what, status, code, name, kind] of cases) {
            it(`${what}: ${name}, ${kind}, one attempt`, async () => {
                const server = await s3(() => ({ status, body: code === undefined ? "" : `<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message></Error>` }));
                await assert.rejects(readerFor(server.url).getObject(BUCKET, KEY, 1024), (error: S3Error) => {
                    assert.ok(error instanceof S3Error);
                    assert.strictEqual(error.name, name);
                    assert.strictEqual(error.$metadata.httpStatusCode, status);
                    assert.match(error.message, /^S3 answered /, "the message names the service that answered");
                    assert.strictEqual(classifyAwsError(error), kind);
                    return true;
                });
                assert.strictEqual(server.seen.length, 1);
            });
        }

        it("names a 500 or 503 without a body as the SDK does, tried once more, and another status without one Http<status>", async () => {
            for (const [status, name, attempts] of [
                [500, "InternalError", 2],
                [503, "ServiceUnavailable", 2],
                [409, "Http409", 1],
            ] as const) {
                const server = await s3(() => ({ status, body: "" }));
                await assert.rejects(readerFor(server.url).getObject(BUCKET, KEY, 1024), (error: S3Error) => {
                    assert.strictEqual(error.name, name);
                    assert.strictEqual(error.$metadata.httpStatusCode, status);
                    return true;
                });
                assert.strictEqual(server.seen.length, attempts, `${status}`);
            }
        });

        it("tries once more a 429, and SlowDown or Throttling by the code alone, whatever the status (as the SDK's retry strategy)", async () => {
            for (const [status, code] of [
                [429, undefined],
                [400, "SlowDown"],
                [400, "Throttling"],
            ] as const) {
                const server = await s3(() => ({ status, body: code === undefined ? "" : `<Error><Code>${code}</Code></Error>` }));
                await assert.rejects(readerFor(server.url).getObject(BUCKET, KEY, 1024), (error: S3Error) => classifyAwsError(error) === "throttled");
                assert.strictEqual(server.seen.length, 2, `${status} ${code}`);
            }
        });

        it("throttling (503 SlowDown) is tried once more, then thrown as throttled", async () => {
            const server = await s3(() => ({ status: 503, body: "<Error><Code>SlowDown</Code></Error>" }));
            await assert.rejects(readerFor(server.url).getObject(BUCKET, KEY, 1024), (error: S3Error) => classifyAwsError(error) === "throttled" && error.$fault === "server");
            assert.strictEqual(server.seen.length, 2);
        });

        it("a 500 InternalError is tried once more, and the second answer counts", async () => {
            let calls = 0;
            const server = await s3(() => (calls++ === 0 ? { status: 500, body: "<Error><Code>InternalError</Code></Error>" } : { status: 200, body: "second" }));
            assert.deepStrictEqual(await readerFor(server.url).getObject(BUCKET, KEY, 1024), { tooLarge: false, text: "second" });
            assert.strictEqual(server.seen.length, 2);
        });

        it("a 500 twice is thrown as unavailable", async () => {
            const server = await s3(() => ({ status: 500, body: "<Error><Code>InternalError</Code></Error>" }));
            await assert.rejects(readerFor(server.url).getObject(BUCKET, KEY, 1024), (error: S3Error) => classifyAwsError(error) === "unavailable");
        });
    });

    describe("sizes", () => {
        it("reports an object whose Content-Length passes maxBytes as too large, and serves exactly maxBytes", async () => {
            const server = await s3(() => ({ status: 200, body: "0123456789" }));
            assert.deepStrictEqual(await readerFor(server.url).getObject(BUCKET, KEY, 9), { tooLarge: true });
            assert.deepStrictEqual(await readerFor(server.url).getObject(BUCKET, KEY, 10), { tooLarge: false, text: "0123456789" });
        });

        it("stops reading a body sent without a length once it passes maxBytes", async () => {
            const server = await s3(() => ({ status: 200, body: "x".repeat(100_000), chunked: true }));
            assert.deepStrictEqual(await readerFor(server.url).getObject(BUCKET, KEY, 70_000), { tooLarge: true });
            assert.deepStrictEqual(await readerFor(server.url).getObject(BUCKET, KEY, 100_000), { tooLarge: false, text: "x".repeat(100_000) });
        });
    });

    it("gives up on an S3 that does not answer within requestTimeoutMs, on each of its two attempts", async () => {
        const server = await s3(() => "hang");
        const started = Date.now();
        await assert.rejects(readerFor(server.url, { requestTimeoutMs: 150 }).getObject(BUCKET, KEY, 1024), (error: Error) => error.name === "TimeoutError");
        assert.strictEqual(server.seen.length, 2);
        assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    });

    it("gives up on an answer that falls silent mid-body for requestTimeoutMs, on each of its two attempts", async () => {
        const server = await s3(() => ({ status: 200, body: "0123456789", stallAfter: 4 }));
        const started = Date.now();
        await assert.rejects(readerFor(server.url, { requestTimeoutMs: 150 }).getObject(BUCKET, KEY, 1024), (error: Error) => error.name === "TimeoutError");
        assert.strictEqual(server.seen.length, 2);
        assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    });

    it("tries again an answer cut off mid-body, and counts the second", async () => {
        let calls = 0;
        const server = await s3(() => (calls++ === 0 ? { status: 200, body: "0123456789", resetAfter: 4 } : { status: 200, body: "0123456789" }));
        assert.deepStrictEqual(await readerFor(server.url).getObject(BUCKET, KEY, 1024), { tooLarge: false, text: "0123456789" });
        assert.strictEqual(server.seen.length, 2);
    });

    it("gives up on a connection not established within connectionTimeoutMs, on each of its two attempts", async () => {
        // The name lookup never answers, so the connection stays pending: only connectionTimeoutMs ends it.
        const { attempts, ms } = await withUnansweredLookup(async () => {
        const reader = createS3Reader({ region: REGION, credentials: CREDENTIALS, endpoint: "https://s3.test", connectionTimeoutMs: 100 });
        await assert.rejects(reader.getObject(BUCKET, KEY, 1024), (error: Error) => error.name === "TimeoutError" && /within the configured timeout of 100 ms/.test(error.message));
        });
        assert.strictEqual(attempts, 2);
        assert.ok(ms < 1500, `${ms} ms`);
    });

    it("escapes the characters of a key that encodeURIComponent leaves (!'()*) as SigV4 and S3 expect", async () => {
        const key = "cognito-test/id/it's (1)*!.txt";
        const server = await s3(() => ({ status: 200, body: "escaped" }));
        assert.deepStrictEqual(await readerFor(server.url).getObject(BUCKET, key, 1024), { tooLarge: false, text: "escaped" });
        assert.deepStrictEqual(server.refusals, []);
        assert.strictEqual(server.seen[0].rawPath, `/${BUCKET}/cognito-test/id/it%27s%20%281%29%2A%21.txt`);
    });

    it("sends path-style under the path of an endpoint that has one, its trailing slashes dropped", async () => {
        const server = await s3((seen) => (seen.query["list-type"] ? { status: 200, body: "<ListBucketResult><KeyCount>1</KeyCount></ListBucketResult>" } : { status: 200, body: "under a path" }));
        const reader = readerFor(`${server.url}/s3//`);
        assert.deepStrictEqual(await reader.getObject(BUCKET, KEY, 1024), { tooLarge: false, text: "under a path" });
        assert.strictEqual(await reader.countKeys(BUCKET, KEY), 1);
        assert.deepStrictEqual(server.refusals, []);
        assert.deepStrictEqual(
            server.seen.map((s) => s.rawPath),
            [`/s3/${BUCKET}/${KEY.split("/").map(encodeURIComponent).join("/")}`, `/s3/${BUCKET}`],
        );
    });

    it("keeps connections alive across calls and across the readers of a container (one per user's credentials)", async () => {
        const server = await s3((seen) => (seen.query["list-type"] ? { status: 200, body: "<ListBucketResult><KeyCount>1</KeyCount></ListBucketResult>" } : objectAt(KEY, "kept")(seen)));
        for (const reader of [readerFor(server.url), readerFor(server.url)]) {
            assert.deepStrictEqual(await reader.getObject(BUCKET, KEY, 1024), { tooLarge: false, text: "kept" });
            assert.strictEqual(await reader.countKeys(BUCKET, KEY), 1);
        }
        assert.strictEqual(server.seen.length, 4);
        assert.strictEqual(server.connections(), 1);
    });

    it("gives up on a connection refused after two attempts", async () => {
        const server = await s3(() => ({ status: 200 }));
        const url = server.url;
        await server.close();
        servers.splice(0);
        await assert.rejects(readerFor(url).getObject(BUCKET, KEY, 1024), (error: NodeJS.ErrnoException) => error.code === "ECONNREFUSED");
    });

    it("addresses S3 itself virtual-hosted over HTTPS, as the SDK addresses bucket names without dots", async () => {
        const original = https.request;
        const sent: { hostname?: string | null; path?: string | null; headers?: http.OutgoingHttpHeaders }[] = [];
        (https as { request: unknown }).request = (options: https.RequestOptions) => {
            // The SDK's transport names the server `host`; either names it.
            sent.push({ hostname: options.hostname ?? options.host, path: options.path, headers: options.headers as http.OutgoingHttpHeaders });
            throw Object.assign(new Error("not sent"), { name: "NotSent" });
        };
        try {
            const reader = createS3Reader({ region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
            await assert.rejects(reader.getObject(BUCKET, "a/b c:d.txt", 10), /not sent/);
            await assert.rejects(reader.countKeys(BUCKET, "a/b"), /not sent/);
        } finally {
            (https as { request: unknown }).request = original;
        }
        assert.deepStrictEqual(
            sent.map((s) => [s.hostname, s.path, s.headers?.host]),
            [
                [`${BUCKET}.s3.${REGION}.amazonaws.com`, "/a/b%20c%3Ad.txt", `${BUCKET}.s3.${REGION}.amazonaws.com`],
                [`${BUCKET}.s3.${REGION}.amazonaws.com`, "/?list-type=2&max-keys=1&prefix=a%2Fb", `${BUCKET}.s3.${REGION}.amazonaws.com`],
            ],
        );
    });

    it("hashes as SigV4 requires: AWS's published S3 GetObject example signs to its published signature", async () => {
        // "Example: GET Object" of the S3 API reference, Signature Version 4 (header-based authentication).
        const signer = new SignatureV4({
            service: "s3",
            region: "us-east-1",
            credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
            sha256: Hash.bind(null, "sha256"),
            uriEscapePath: false,
            applyChecksum: true,
        });
        const signed = await signer.sign(
            new HttpRequest({
                method: "GET",
                protocol: "https:",
                hostname: "examplebucket.s3.amazonaws.com",
                path: "/test.txt",
                headers: { host: "examplebucket.s3.amazonaws.com", range: "bytes=0-9" },
            }),
            { signingDate: new Date("2013-05-24T00:00:00Z") },
        );
        assert.strictEqual(
            signed.headers.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        );
    });
});
