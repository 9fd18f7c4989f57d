/**
 * Throttling, end to end on the read path: a throttled Cognito or S3 call makes the read-file
 * handler back off (jittered, growing waits, never past the request's deadline) and answer 503
 * with an integer Retry-After, never 500; the caller's API client honours that Retry-After. Time
 * is a fake clock the injected sleep advances: no wall-clock thresholds.
 */
import * as assert from "assert";

import { ApiCallError, createSignedApiClient } from "../client/apiClient";
import { jitteredDelay, retryAfterMs, withBackoff } from "../lambdas/backoff";
import { CognitoIdentityError } from "../lambdas/cognitoIdentity";
import { HttpResponse, jsonResponse } from "../lambdas/http";
import { CognitoIdentitySender } from "../lambdas/identityCredentials";
import { createReadFileHandler, IdTokenVerifier } from "../lambdas/readFile";
import { S3Error } from "../lambdas/s3Reader";
import { S3Double } from "./support/s3Double";
import { startSigV4Server } from "./support/sigv4Server";

const REGION = "ap-northeast-1";
const PROVIDER = `cognito-idp.${REGION}.amazonaws.com/${REGION}_Pool`;
const POOL = `${REGION}:00000000-1111-4222-8333-444444444444`;
const BUCKET = "user-files";
const PREFIX = "cognito-test";
const T0 = 1_800_000_000_000;

/** A token the accepting verifier below reads: only its payload matters. */
const tokenOf = (sub: string) => `e30.${Buffer.from(JSON.stringify({ sub })).toString("base64url")}.c2ln`;
const verifier: IdTokenVerifier = { verify: async (token) => ({ sub: JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub, exp: T0 / 1000 + 3600 }) };

/** A fake clock and a sleep that advances it, recording each wait. */
function fakeTime() {
    const clock = { t: T0, waits: [] as number[], wokeAt: [] as number[] };
    return {
        clock,
        now: () => clock.t,
        sleep: async (ms: number) => {
            clock.waits.push(ms);
            clock.t += ms;
            clock.wokeAt.push(clock.t);
        },
    };
}

/** Cognito Identity answering as programmed, counting calls. */
function cognito() {
    const calls = { GetId: 0, GetCredentialsForIdentity: 0 };
    const fail = { GetId: [] as Error[], GetCredentialsForIdentity: [] as Error[] };
    const sender: CognitoIdentitySender = {
        async getId() {
            calls.GetId++;
            const error = fail.GetId.shift();
            if (error) throw error;
            return { IdentityId: `${REGION}:id-alice` };
        },
        async getCredentialsForIdentity(input) {
            calls.GetCredentialsForIdentity++;
            const error = fail.GetCredentialsForIdentity.shift();
            if (error) throw error;
            return { Credentials: { AccessKeyId: `ASIA-${input.IdentityId}`, SecretKey: "s", SessionToken: "t", Expiration: new Date(T0 + 3600_000) } };
        },
    };
    return { sender, calls, fail };
}

function setUp(options: { random?: () => number; throttledAttempts?: number; retryBudgetMs?: number } = {}) {
    const time = fakeTime();
    const identity = cognito();
    const s3 = new S3Double();
    s3.objects.set(`${PREFIX}/${REGION}:id-alice/data.txt`, "alice's data");
    const logs: Record<string, unknown>[] = [];
    const handler = createReadFileHandler(
        { identityPoolId: POOL, providerName: PROVIDER, bucket: BUCKET, prefix: PREFIX, throttledAttempts: options.throttledAttempts, retryBudgetMs: options.retryBudgetMs },
        {
            verifier,
            identity: identity.sender,
            s3For: (credentials) => s3.readerFor(credentials),
            now: time.now,
            sleep: time.sleep,
            random: options.random ?? (() => 0.5),
            log: (entry) => logs.push(entry),
        },
    );
    const read = (remainingMs?: number) =>
        handler(
            { headers: { idtoken: tokenOf("alice") }, requestContext: { requestId: "r" } },
            remainingMs === undefined ? undefined : { getRemainingTimeInMillis: () => remainingMs },
        );
    return { ...time, identity, s3, logs, handler, read };
}

const cognitoThrottled = (name: string, status: number) => new CognitoIdentityError(name, status);

function assertBusy(response: HttpResponse) {
    assert.strictEqual(response.statusCode, 503, response.body);
    assert.match(response.headers["retry-after"], /^[1-9]\d*$/, "Retry-After in whole seconds");
    assert.strictEqual(JSON.parse(response.body).error, "temporarily_unavailable");
}

describe("throttling: the read-file handler", () => {
    for (const [step, name, status] of [
        ["GetId", "TooManyRequestsException", 400],
        ["GetId", "ThrottlingException", 400],
        ["GetCredentialsForIdentity", "TooManyRequestsException", 429],
        ["GetCredentialsForIdentity", "ThrottlingException", 400],
    ] as const) {
        it(`GIVEN ${step} answers ${name} twice WHEN reading THEN it backs off with jitter and serves the file`, async () => {
            const t = setUp();
            t.identity.fail[step].push(cognitoThrottled(name, status), cognitoThrottled(name, status));
            const response = await t.read();
            assert.strictEqual(response.statusCode, 200, response.body);
            assert.strictEqual(t.identity.calls[step], 3);
            // random 0.5 of steps 50 and 100 ms: the waits are jittered and grow.
            assert.deepStrictEqual(t.clock.waits, [25, 50]);
            assert.strictEqual(t.logs[0].retries, 2);
        });

        it(`GIVEN ${step} always answers ${name} WHEN reading THEN 503 with Retry-After after the attempts allowed, never 500`, async () => {
            const t = setUp();
            for (let i = 0; i < 10; i++) t.identity.fail[step].push(cognitoThrottled(name, status));
            assertBusy(await t.read());
            assert.strictEqual(t.identity.calls[step], 3);
            assert.strictEqual(t.s3.calls.length, 0);
        });
    }

    for (const [code, status] of [
        ["SlowDown", 503],
        ["TooManyRequests", 429],
        ["Throttling", 503],
    ] as const) {
        it(`GIVEN GetObject answers ${status} ${code} WHEN reading THEN it backs off, and answers 503 with Retry-After when throttling lasts`, async () => {
            const t = setUp();
            let refusals = 1;
            t.s3.onGet = (call) => {
                if (refusals-- > 0) throw new S3Error(code, status);
                return t.s3.stored(call);
            };
            assert.strictEqual((await t.read()).statusCode, 200);
            assert.strictEqual(t.s3.callsOf("GetObject").length, 2);
            assert.strictEqual(t.logs[0].retries, 1, "one retry, of the read; the exchange was not retried");

            const busy = setUp();
            busy.s3.onGet = () => {
                throw new S3Error(code, status);
            };
            assertBusy(await busy.read());
            assert.strictEqual(busy.s3.callsOf("GetObject").length, 3);
            assert.strictEqual(busy.identity.calls.GetCredentialsForIdentity, 1, "a throttled read does not issue credentials again");
        });
    }

    it("GIVEN little time left in the invocation WHEN Cognito throttles THEN no retry ends past the deadline", async () => {
        // random 1: waits of 50, then 100 ms. 1,100 ms left less the second kept to answer: 100 ms.
        const t = setUp({ random: () => 1, throttledAttempts: 10 });
        for (let i = 0; i < 10; i++) t.identity.fail.GetId.push(cognitoThrottled("TooManyRequestsException", 400));
        assertBusy(await t.read(1100));
        assert.deepStrictEqual(t.clock.waits, [50]);
        assert.ok(t.clock.wokeAt.every((at) => at <= T0 + 100));
        assert.strictEqual(t.identity.calls.GetId, 2);
    });

    it("GIVEN a retry budget WHEN throttling lasts THEN the waits stay within it, however many attempts are allowed", async () => {
        const t = setUp({ random: () => 1, throttledAttempts: 50, retryBudgetMs: 2000 });
        for (let i = 0; i < 50; i++) t.identity.fail.GetCredentialsForIdentity.push(cognitoThrottled("ThrottlingException", 400));
        assertBusy(await t.read(60_000));
        // 50 + 100 + 200 + 400 + 800 = 1,550; the next (1,000, capped) would end at 2,550.
        assert.deepStrictEqual(t.clock.waits, [50, 100, 200, 400, 800]);
        assert.ok(t.clock.t - T0 <= 2000);
    });

    it("GIVEN no time left WHEN throttled THEN 503 at once", async () => {
        const t = setUp();
        t.identity.fail.GetId.push(cognitoThrottled("TooManyRequestsException", 400));
        assertBusy(await t.read(500));
        assert.deepStrictEqual(t.clock.waits, []);
    });

    it("does not retry what is not throttling (a refused token)", async () => {
        const t = setUp();
        t.identity.fail.GetId.push(cognitoThrottled("NotAuthorizedException", 400));
        assert.strictEqual((await t.read()).statusCode, 401);
        assert.deepStrictEqual(t.clock.waits, []);
        assert.ok(!("retries" in t.logs[0]), `a request without retries logs none: ${JSON.stringify(t.logs[0])}`);
    });

    it("GIVEN no Lambda context, or one without getRemainingTimeInMillis, WHEN throttling lasts THEN the retry budget alone bounds the waits", async () => {
        for (const context of [undefined, {}]) {
            const t = setUp({ random: () => 1, throttledAttempts: 50, retryBudgetMs: 2000 });
            for (let i = 0; i < 50; i++) t.identity.fail.GetCredentialsForIdentity.push(cognitoThrottled("ThrottlingException", 400));
            assertBusy(await t.handler({ headers: { idtoken: tokenOf("alice") }, requestContext: { requestId: "r" } }, context));
            assert.deepStrictEqual(t.clock.waits, [50, 100, 200, 400, 800]);
        }
    });

    it("accepts a single attempt and a retry budget of 0: a throttled step answers 503 at once", async () => {
        for (const settings of [{ throttledAttempts: 1 }, { retryBudgetMs: 0 }]) {
            const t = setUp(settings);
            t.identity.fail.GetId.push(cognitoThrottled("TooManyRequestsException", 400));
            assertBusy(await t.read());
            assert.deepStrictEqual(t.clock.waits, [], JSON.stringify(settings));
            assert.strictEqual(t.identity.calls.GetId, 1);
        }
    });

    it("refuses settings that would never try, or never stop", () => {
        const make = (settings: object) => () =>
            createReadFileHandler({ identityPoolId: POOL, providerName: PROVIDER, bucket: BUCKET, prefix: PREFIX, ...settings }, { verifier, identity: cognito().sender, s3For: () => new S3Double().readerFor({ accessKeyId: "x" }) });
        assert.throws(make({ throttledAttempts: 0 }), /throttledAttempts must be a positive integer, got '0'/);
        assert.throws(make({ retryBudgetMs: -1 }), /retryBudgetMs must be a non-negative number, got '-1'/);
    });
});

describe("throttling: the backoff", () => {
    it("draws each wait uniformly up to a doubling, capped step", () => {
        assert.deepStrictEqual(
            [1, 2, 3, 4, 5].map((retry) => jitteredDelay(retry, { baseMs: 100, capMs: 500 }, () => 1)),
            [100, 200, 400, 500, 500],
        );
        assert.strictEqual(jitteredDelay(3, { baseMs: 100, capMs: 500 }, () => 0), 0);
    });

    it("adds the jitter to the other side's Retry-After, and gives up when the wait would end past the deadline", async () => {
        const t = fakeTime();
        let attempts = 0;
        await assert.rejects(
            withBackoff(
                async () => {
                    attempts++;
                    throw new Error("busy");
                },
                () => ({ afterMs: 1000 }),
                { maxAttempts: 10, baseMs: 100, capMs: 100, deadline: T0 + 2500, sleep: t.sleep, random: () => 0.5, now: t.now },
            ),
            /busy/,
        );
        assert.deepStrictEqual(t.clock.waits, [1050, 1050]);
        assert.strictEqual(attempts, 3);
    });

    it("reads Retry-After as seconds or as an HTTP date", () => {
        assert.strictEqual(retryAfterMs("2"), 2000);
        assert.strictEqual(retryAfterMs(new Date(T0 + 5000).toUTCString(), T0), 5000);
        assert.strictEqual(retryAfterMs("soon"), undefined);
        assert.strictEqual(retryAfterMs(undefined), undefined);
    });
});

describe("throttling: the caller's API client", () => {
    const CREDENTIALS = { accessKeyId: "ASIACALLER", secretAccessKey: "secret", sessionToken: "token" };
    const ARN = "arn:aws:sts::111122223333:assumed-role/ApiAllowByIamRoleStag/caller";
    let busyFor = 0;
    let busyStatus = 503;
    let retryAfter: string | undefined = "2";
    let served = 0;
    let server: Awaited<ReturnType<typeof startSigV4Server>>;
    before(async () => {
        const route = async (): Promise<HttpResponse> => {
            served++;
            if (busyFor-- > 0) {
                const response = jsonResponse(busyStatus, { error: "temporarily_unavailable", message: "busy" });
                return retryAfter === undefined ? response : { ...response, headers: { ...response.headers, "retry-after": retryAfter } };
            }
            return jsonResponse(200, { status: "success" });
        };
        server = await startSigV4Server({
            region: REGION,
            credentials: new Map([[CREDENTIALS.accessKeyId, { secretAccessKey: CREDENTIALS.secretAccessKey, sessionToken: CREDENTIALS.sessionToken, arn: ARN }]]),
            routes: { "GET /read-file": route, "POST /read-file": route },
        });
    });
    after(() => server.close());
    beforeEach(() => {
        busyFor = 0;
        busyStatus = 503;
        retryAfter = "2";
        served = 0;
    });

    function client(retry: object = {}) {
        const waits: number[] = [];
        // The waits are recorded, not slept: the signing clock stays real, as the server checks it.
        const api = createSignedApiClient({
            endpoint: server.url,
            region: REGION,
            credentials: CREDENTIALS,
            retry: {
                random: () => 0.5,
                sleep: async (ms: number) => {
                    waits.push(ms);
                },
                ...retry,
            },
        });
        return { api, waits };
    }

    it("GIVEN 503 with Retry-After: 2 WHEN calling THEN it waits 2 s plus jitter, signs anew and succeeds", async () => {
        busyFor = 1;
        const { api, waits } = client();
        const response = await api.call({ path: "/read-file" });
        assert.strictEqual(response.status, 200);
        assert.deepStrictEqual(waits, [2100]);
        assert.strictEqual(served, 2);
    });

    it("GIVEN 429 without Retry-After WHEN calling THEN it waits a jittered, growing step", async () => {
        busyFor = 2;
        busyStatus = 429;
        retryAfter = undefined;
        const { api, waits } = client();
        assert.strictEqual((await api.call({ path: "/read-file" })).status, 200);
        assert.deepStrictEqual(waits, [100, 200]);
    });

    it("GIVEN throttling that lasts WHEN calling THEN it gives up after maxAttempts with the 503 and its Retry-After", async () => {
        busyFor = 10;
        const { api, waits } = client({ maxAttempts: 2 });
        await assert.rejects(api.call({ path: "/read-file" }), (error: ApiCallError) => error.status === 503 && error.retryAfterMs === 2000);
        assert.strictEqual(waits.length, 1);
        assert.strictEqual(served, 2);
    });

    it("GIVEN a Retry-After past the budget WHEN calling THEN it does not wait", async () => {
        busyFor = 1;
        retryAfter = "120";
        const { api, waits } = client({ budgetMs: 30_000 });
        await assert.rejects(api.call({ path: "/read-file" }), (error: ApiCallError) => error.status === 503);
        assert.deepStrictEqual(waits, []);
    });

    it("does not repeat a POST", async () => {
        busyFor = 1;
        const { api, waits } = client();
        await assert.rejects(api.call({ method: "POST", path: "/read-file", body: "{}" }), (error: ApiCallError) => error.status === 503);
        assert.deepStrictEqual(waits, []);
        assert.strictEqual(served, 1);
    });

    it("stops waiting when the request's signal aborts", async () => {
        busyFor = 1;
        retryAfter = "20";
        const api = createSignedApiClient({ endpoint: server.url, region: REGION, credentials: CREDENTIALS });
        const controller = new AbortController();
        const call = api.call({ path: "/read-file", signal: controller.signal });
        setImmediate(() => setTimeout(() => controller.abort(new Error("caller gave up")), 20));
        await assert.rejects(call, /caller gave up/);
        assert.strictEqual(served, 1);
    });

    it("refuses retry.maxAttempts below 1", () => {
        assert.throws(() => createSignedApiClient({ endpoint: server.url, region: REGION, credentials: CREDENTIALS, retry: { maxAttempts: 0 } }), /retry.maxAttempts must be a positive integer, got '0'/);
    });
});
