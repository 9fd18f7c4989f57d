/**
 * The caller client against a loopback server that really verifies SigV4 signatures.
 */
import * as assert from "assert";

import { ApiCallError, classifyRefusal, createSignedApiClient, Refusal } from "../client/apiClient";
import { createWhoamiHandler } from "../lambdas/whoami";
import { SigV4Server, startSigV4Server, startStallingServer } from "./support/sigv4Server";

const REGION = "ap-northeast-1";
const SESSION_ARN = "arn:aws:sts::111122223333:assumed-role/ApiAllowByIamRoleStag/caller-session";
const CREDENTIALS = { accessKeyId: "ASIASTAGECALLER", secretAccessKey: "stage-secret", sessionToken: "stage-session-token" };

describe("signed API client", () => {
    let server: SigV4Server;
    before(async () => {
        server = await startSigV4Server({
            region: REGION,
            credentials: new Map([
                [CREDENTIALS.accessKeyId, { secretAccessKey: CREDENTIALS.secretAccessKey, sessionToken: CREDENTIALS.sessionToken, arn: SESSION_ARN }],
                ["ASIAEXPIRED", { secretAccessKey: "s", sessionToken: "t", arn: SESSION_ARN, expiresAt: new Date(Date.now() - 1000) }],
            ]),
            routes: {
                "GET /whoami": createWhoamiHandler(),
                "GET /denied": createWhoamiHandler(),
                "GET /handler-refuses": async () => ({
                    statusCode: 403,
                    headers: { "content-type": "application/json" },
                    body: JSON.stringify({ error: "admin_only", message: "This route is for administrators.", requestId: "r" }),
                }),
                "POST /echo": async (event) => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ path: event.rawPath }) }),
            },
            authorize: (_arn, routeKey) => routeKey !== "GET /denied",
        });
    });
    after(() => server.close());

    const client = (overrides: Partial<Parameters<typeof createSignedApiClient>[0]> = {}) =>
        createSignedApiClient({ endpoint: server.url, region: REGION, credentials: CREDENTIALS, ...overrides });

    it("signs a request the server verifies, and returns the caller API Gateway saw", async () => {
        const response = await client().call<{ userArn: string; accountId: string }>({ path: "/whoami" });
        assert.strictEqual(response.status, 200);
        assert.strictEqual(response.body.userArn, SESSION_ARN);
        assert.strictEqual(response.body.accountId, "111122223333");
    });

    it("signs bodies and query strings too", async () => {
        const response = await client().call<{ path: string }>({ method: "POST", path: "/echo", query: { a: "1 2" }, body: JSON.stringify({ x: 1 }) });
        assert.strictEqual(response.body.path, "/echo");
    });

    it("accepts a credential provider (as credentialsFor returns)", async () => {
        const response = await client({ credentials: async () => CREDENTIALS }).call({ path: "/whoami" });
        assert.strictEqual(response.status, 200);
    });

    it("reports an unsigned request's 403 clearly", async () => {
        const c = client();
        const signed = await c.sign({ path: "/whoami" });
        delete signed.headers.authorization;
        await assert.rejects(c.send(signed), (error: ApiCallError) => {
            assert.ok(error instanceof ApiCallError);
            assert.strictEqual(error.status, 403);
            assert.match(error.message, /GET \/whoami -> 403 \(the request was not signed/);
            return true;
        });
    });

    it("reports a request tampered with after signing", async () => {
        const c = client();
        for (const tamper of [
            (r: { path: string }) => (r.path = "/whoami2"),
            (r: { headers: Record<string, string> }) => (r.headers["x-amz-date"] = r.headers["x-amz-date"].replace(/\d(?=Z$)/, (d) => String((+d + 1) % 10))),
            (r: { body?: unknown; method: string }) => ((r.method = "POST"), (r.body = "{}")),
        ]) {
            const signed = await c.sign({ path: "/whoami" });
            tamper(signed as never);
            await assert.rejects(c.send(signed), (error: ApiCallError) => {
                assert.strictEqual(error.status, 403);
                assert.match(error.message, /changed after signing/);
                return true;
            });
        }
    });

    it("reports a signature made too long ago", async () => {
        const stale = client({ now: () => new Date(Date.now() - 10 * 60 * 1000) });
        await assert.rejects(stale.call({ path: "/whoami" }), (error: ApiCallError) => {
            assert.strictEqual(error.status, 403);
            assert.match(error.message, /expired; check the clock/);
            return true;
        });
    });

    it("reports expired credentials and unknown keys", async () => {
        await assert.rejects(
            client({ credentials: { accessKeyId: "ASIAEXPIRED", secretAccessKey: "s", sessionToken: "t" } }).call({ path: "/whoami" }),
            /-> 403 \(the signature or the credentials expired/,
        );
        await assert.rejects(
            client({ credentials: { accessKeyId: "ASIAUNKNOWN", secretAccessKey: "s", sessionToken: "t" } }).call({ path: "/whoami" }),
            /-> 403 \(the credentials are not known to AWS\)/,
        );
    });

    it("reports a wrong secret as a signature mismatch", async () => {
        await assert.rejects(client({ credentials: { ...CREDENTIALS, secretAccessKey: "wrong" } }).call({ path: "/whoami" }), /changed after signing/);
    });

    it("tells an authorization decision from a request that was never authenticated", async () => {
        const refusalOf = (promise: Promise<unknown>) => promise.then(() => "none", (error: ApiCallError) => error.refusal);
        const c = client();
        const unsigned = await c.sign({ path: "/whoami" });
        delete unsigned.headers.authorization;
        const seen: Record<string, Refusal | string> = {
            "IAM denies the route": await refusalOf(c.call({ path: "/denied" })),
            "the handler refuses": await refusalOf(c.call({ path: "/handler-refuses" })),
            unsigned: await refusalOf(c.send(unsigned)),
            "wrong secret": await refusalOf(client({ credentials: { ...CREDENTIALS, secretAccessKey: "wrong" } }).call({ path: "/whoami" })),
            "unknown key": await refusalOf(client({ credentials: { accessKeyId: "ASIAUNKNOWN", secretAccessKey: "s", sessionToken: "t" } }).call({ path: "/whoami" })),
            "expired credentials": await refusalOf(client({ credentials: { accessKeyId: "ASIAEXPIRED", secretAccessKey: "s", sessionToken: "t" } }).call({ path: "/whoami" })),
        };
        assert.deepStrictEqual(seen, {
            "IAM denies the route": "not-authorized",
            "the handler refuses": "refused-by-handler",
            unsigned: "unsigned",
            "wrong secret": "bad-signature",
            "unknown key": "unknown-credentials",
            "expired credentials": "expired",
        });
        assert.strictEqual(classifyRefusal(403, { message: "User: arn:aws:sts::1:assumed-role/R/s is not authorized to perform: execute-api:Invoke on resource: x" }), "not-authorized");
        assert.strictEqual(classifyRefusal(403, { message: "Something else" }), "other");
        assert.strictEqual(classifyRefusal(429, { message: "Too Many Requests" }), "throttled");
    });

    it("a signal cancels a request no one answers, and its connection", async () => {
        const stalled = await startStallingServer();
        try {
            const started = Date.now();
            await assert.rejects(
                createSignedApiClient({ endpoint: stalled.url, region: REGION, credentials: CREDENTIALS, timeoutMs: 60_000 }).call({ path: "/whoami", signal: AbortSignal.timeout(150) }),
                (error: Error) => ["TimeoutError", "AbortError"].includes(error.name),
            );
            assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
            await new Promise((resolve) => setTimeout(resolve, 100));
            const carrying = stalled.connections.filter((c) => c.requested);
            assert.ok(carrying.length === 1 && carrying[0].closed !== undefined, "the request's connection stays open");
        } finally {
            await stalled.close();
        }
    });

    it("refuses plain http to anything but loopback", () => {
        assert.throws(
            () => createSignedApiClient({ endpoint: "http://api.example.com", region: REGION, credentials: CREDENTIALS }),
            /endpoint must be https/,
        );
    });
});
