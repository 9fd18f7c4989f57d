/**
 * Security properties that mutation testing (`npm run mutate`) showed no test would miss if they
 * changed: each test here kills mutants that survived the rest of the suite. They run the
 * production code: the handler, the exchange and the Lambda factory as deployed. The policy
 * builders' own tests are tests/policies.test.ts and tests/ciPolicies.test.ts.
 */
import * as assert from "assert";
import * as http from "http";


import { CognitoIdentitySender, createIdentityExchange, IdentityExchangeOptions, VerifiedClaims } from "../lambdas/identityCredentials";
import { createReadFileHandler, IdTokenVerifier } from "../lambdas/readFile";
import { S3Reader } from "../lambdas/s3Reader";
import { readFileCallbackFactory } from "../lambdas/readFileFunction";
import { identityIdFor, startFakeAws } from "./support/fakeAws";
import { CLIENT_ID, idToken, makeSigningKey, PROVIDER_NAME, REGION, USER_POOL_ID } from "./support/tokens";

// Required, not imported: the test swaps its `request` for the Lambda factory's key fetch.
const https = require("https") as typeof import("https");

const IDENTITY_POOL_ID = `${REGION}:00000000-1111-4222-8333-444444444444`;
const BUCKET = "user-files-gaps";
const PREFIX = "cognito-test";
const HOUR = 3600_000;

/** A Cognito Identity that answers GetId and GetCredentialsForIdentity as told, and records each call. */
function fakeIdentity(credentials: (identityId: string) => Record<string, unknown> | undefined, identityId: (sub: string) => string | undefined = (sub) => `${REGION}:id-${sub}`) {
    const calls: string[] = [];
    let issued = 0;
    const sender: CognitoIdentitySender = {
        async getId(input) {
            calls.push("GetId");
            const token = Object.values(input.Logins ?? {})[0];
            const sub = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub as string;
            return { IdentityId: identityId(sub) };
        },
        async getCredentialsForIdentity(input) {
            calls.push("GetCredentialsForIdentity");
            issued++;
            const id = input.IdentityId;
            return { IdentityId: id, Credentials: credentials(`${id}#${issued}`) as never };
        },
    };
    return { sender, calls };
}

const fullCredentials = (tag: string) => ({ AccessKeyId: `ASIA-${tag}`, SecretKey: "secret", SessionToken: "session", Expiration: new Date(Date.now() + HOUR) });

function exchangeWith(identity: CognitoIdentitySender, overrides: Partial<IdentityExchangeOptions> = {}) {
    return createIdentityExchange(
        { identity, identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, cacheEntries: 10, refreshMarginMs: 5 * 60_000, revalidateAfterMs: 5 * 60_000, now: Date.now, ...overrides },
        (credentials) => credentials,
    );
}

const key = makeSigningKey("gaps-key");
const claimsOf = (sub: string): VerifiedClaims => ({ sub, exp: Math.floor(Date.now() / 1000) + 3600 });

describe("mutation gaps: identity exchange", () => {
    for (const [missing, drop] of [
        ["AccessKeyId", "AccessKeyId"],
        ["SecretKey", "SecretKey"],
        ["SessionToken", "SessionToken"],
        ["Expiration", "Expiration"],
    ] as const) {
        it(`refuses credentials without ${missing}, and keeps nothing for the token`, async () => {
            let complete = false;
            const { sender, calls } = fakeIdentity((tag) => {
                const c: Record<string, unknown> = fullCredentials(tag);
                if (!complete) {
                    delete c[drop];
                }
                return c;
            });
            const exchange = exchangeWith(sender);
            const token = idToken(key, "alice");
            await assert.rejects(exchange.sessionFor(claimsOf("alice"), token), /incomplete credentials/);
            complete = true;
            const session = await exchange.sessionFor(claimsOf("alice"), token);
            assert.strictEqual(session.credentials.sessionToken, "session");
            assert.deepStrictEqual(calls, ["GetId", "GetCredentialsForIdentity", "GetCredentialsForIdentity"], "the identity id is kept, no credentials were");
        });
    }

    it("refuses a GetId answer without an identity id, and asks again next time", async () => {
        let known = false;
        const { sender, calls } = fakeIdentity(fullCredentials, (sub) => (known ? `${REGION}:id-${sub}` : undefined));
        const exchange = exchangeWith(sender);
        const token = idToken(key, "bob");
        await assert.rejects(exchange.sessionFor(claimsOf("bob"), token), /no IdentityId/);
        assert.deepStrictEqual(calls, ["GetId"], "no credentials are asked for an unknown identity");
        known = true;
        assert.strictEqual((await exchange.sessionFor(claimsOf("bob"), token)).identityId, `${REGION}:id-bob`);
    });

    it("accepts revalidateAfterMs 0: every request asks the identity pool again (the strictest setting)", async () => {
        const { sender, calls } = fakeIdentity(fullCredentials);
        const exchange = exchangeWith(sender, { revalidateAfterMs: 0 });
        const token = idToken(key, "carol");
        const first = await exchange.sessionFor(claimsOf("carol"), token);
        const second = await exchange.sessionFor(claimsOf("carol"), token);
        assert.notStrictEqual(first.credentials.accessKeyId, second.credentials.accessKeyId);
        assert.deepStrictEqual(calls, ["GetId", "GetCredentialsForIdentity", "GetCredentialsForIdentity"]);
    });

    it("accepts a cache of one entry", () => {
        assert.doesNotThrow(() => exchangeWith(fakeIdentity(fullCredentials).sender, { cacheEntries: 1 }));
    });
});

/**
 * An S3 reader that answers GetObject and ListObjectsV2 as told and records each call. `get`
 * gives the object (its text, and a length when it differs); `list` how many keys the listing finds.
 */
function fakeS3(get: () => unknown, list: () => unknown = () => 0) {
    const calls: string[] = [];
    const sender: S3Reader = {
        async getObject(_bucket, key, maxBytes) {
            calls.push(`GetObject ${key}`);
            const object = (await get()) as { readonly text: string; readonly length?: number };
            const length = object.length ?? Buffer.byteLength(object.text);
            return length > maxBytes ? { tooLarge: true } : { tooLarge: false, text: object.text };
        },
        async countKeys(_bucket, prefix) {
            calls.push(`ListObjectsV2 ${prefix}`);
            return (await list()) as number;
        },
    };
    return { sender, calls };
}

const acceptingVerifier: IdTokenVerifier = { verify: async (token) => ({ sub: JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub, exp: Math.floor(Date.now() / 1000) + 3600 }) };
const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const ownKey = (sub: string) => `${PREFIX}/${REGION}:id-${sub}/data.txt`;

function handlerWith(s3: S3Reader, options: { maxBytes?: number; verifier?: IdTokenVerifier; identity?: CognitoIdentitySender } = {}) {
    const identity = options.identity ? { sender: options.identity, calls: [] as string[] } : fakeIdentity(fullCredentials);
    const logs: Record<string, unknown>[] = [];
    const handler = createReadFileHandler(
        { identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, bucket: BUCKET, prefix: PREFIX, maxBytes: options.maxBytes },
        { verifier: options.verifier ?? acceptingVerifier, identity: identity.sender, s3For: () => s3, log: (entry) => logs.push(entry) },
    );
    return { handler, identityCalls: identity.calls, logs };
}

const event = (token?: string) => ({ headers: token === undefined ? {} : { idtoken: token }, requestContext: { requestId: "req-gap" } });
const bodyOf = (text: string) => ({ text });

describe("mutation gaps: GET /read-file", () => {
    it("refuses a file larger than maxBytes with 413 without reading it, and serves one of exactly maxBytes", async () => {
        let reads = 0;
        const sized = (length: number) => () => ({
            length,
            get text() {
                reads++;
                return "x".repeat(length);
            },
        });
        const tooLarge = handlerWith(fakeS3(sized(11)).sender, { maxBytes: 10 });
        const refused = await tooLarge.handler(event(idToken(key, "alice")));
        assert.strictEqual(refused.statusCode, 413);
        assert.strictEqual(JSON.parse(refused.body).error, "file_too_large");
        assert.strictEqual(reads, 0, "the body of a too-large file is never read");
        assert.strictEqual(tooLarge.logs[0].reason, "too-large");

        const exact = await handlerWith(fakeS3(sized(10)).sender, { maxBytes: 10 }).handler(event(idToken(key, "alice")));
        assert.strictEqual(exact.statusCode, 200);
        assert.strictEqual(JSON.parse(exact.body).data, "x".repeat(10));
    });

    it("applies a 1 MiB cap when maxBytes is not set", async () => {
        const big = 1024 * 1024 + 1;
        const response = await handlerWith(fakeS3(() => ({ length: big, text: "" })).sender).handler(event(idToken(key, "alice")));
        assert.strictEqual(response.statusCode, 413);
    });

    it("answers 403, not 404, when S3 denies a key that the caller's own listing shows present", async () => {
        for (const listing of [1]) {
            const s3 = fakeS3(
                () => Promise.reject(s3Error("AccessDenied", 403)),
                () => listing,
            );
            const response = await handlerWith(s3.sender).handler(event(idToken(key, "alice")));
            assert.strictEqual(response.statusCode, 403, JSON.stringify(listing));
            assert.strictEqual(JSON.parse(response.body).error, "access_denied");
            assert.deepStrictEqual(s3.calls, [`GetObject ${ownKey("alice")}`, `ListObjectsV2 ${ownKey("alice")}`], "the listing names the caller's own key only");
        }
    });

    it("answers 503 when the listing that tells absent from refused is throttled", async () => {
        const s3 = fakeS3(
            () => Promise.reject(s3Error("AccessDenied", 403)),
            () => Promise.reject(s3Error("SlowDown", 503)),
        );
        const response = await handlerWith(s3.sender).handler(event(idToken(key, "alice")));
        assert.strictEqual(response.statusCode, 503);
    });

    it("does not ask for new credentials when S3 denies a read: only expired credentials are replaced", async () => {
        const s3 = fakeS3(() => Promise.reject(s3Error("AccessDenied", 403)));
        const { handler, identityCalls } = handlerWith(s3.sender);
        assert.strictEqual((await handler(event(idToken(key, "alice")))).statusCode, 404);
        assert.deepStrictEqual(identityCalls, ["GetId", "GetCredentialsForIdentity"]);
        assert.deepStrictEqual(s3.calls, [`GetObject ${ownKey("alice")}`, `ListObjectsV2 ${ownKey("alice")}`]);
    });

    it("answers 403 no_role when the identity pool maps the user to no role, and 500 for the same name from S3", async () => {
        const noRole: CognitoIdentitySender = {
            async getId() {
                return { IdentityId: `${REGION}:id-eve` };
            },
            async getCredentialsForIdentity() {
                throw s3Error("InvalidIdentityPoolConfigurationException", 400);
            },
        };
        const refused = await handlerWith(fakeS3(() => bodyOf("x")).sender, { identity: noRole }).handler(event(idToken(key, "eve")));
        assert.strictEqual(refused.statusCode, 403);
        assert.strictEqual(JSON.parse(refused.body).error, "no_role");

        const fromS3 = await handlerWith(fakeS3(() => Promise.reject(s3Error("InvalidIdentityPoolConfigurationException", 400))).sender).handler(event(idToken(key, "eve")));
        assert.strictEqual(fromS3.statusCode, 500);
    });

    it("answers 503, not 401, when the token keys cannot be fetched", async () => {
        const { FetchError } = require("aws-jwt-verify/error") as typeof import("aws-jwt-verify/error");
        const verifier: IdTokenVerifier = {
            verify: async () => {
                throw new FetchError("https://cognito-idp.example/jwks.json", "connection refused");
            },
        };
        const response = await handlerWith(fakeS3(() => bodyOf("x")).sender, { verifier }).handler(event(idToken(key, "alice")));
        assert.strictEqual(response.statusCode, 503);
        assert.ok(Number(response.headers?.["retry-after"]) > 0);
    });

    it("refuses, without calling the verifier, a JWT-shaped token with junk before or after it", async () => {
        // The module is loaded afresh, so its token shape is the one the code under test builds now.
        const modulePath = require.resolve("../lambdas/readFile");
        delete require.cache[modulePath];
        const fresh = require(modulePath) as typeof import("../lambdas/readFile");
        const seen: string[] = [];
        const verifier: IdTokenVerifier = { verify: async (token) => (seen.push(token), claimsOf("alice")) };
        const handler = fresh.createReadFileHandler(
            { identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, bucket: BUCKET, prefix: PREFIX },
            { verifier, identity: fakeIdentity(fullCredentials).sender, s3For: () => fakeS3(() => bodyOf("x")).sender, log: () => undefined },
        );
        for (const token of ["!aaa.bbb.ccc", "aaa.bbb.ccc!", "aaa.!.ccc", "!.bbb.ccc", "aaa.bbb.!"]) {
            assert.strictEqual((await handler(event(token))).statusCode, 401, token);
        }
        assert.deepStrictEqual(seen, []);
        const real = idToken(key, "alice");
        await handler(event("a.b.c"));
        await handler(event(real));
        assert.deepStrictEqual(seen, ["a.b.c", real], "one character per segment, and a real IdToken, are shapes the verifier decides on");
    });
});

describe("mutation gaps: the deployed read-file function's token checks", () => {
    // The factory as Lambda runs it, in this process: its Cognito Identity and S3 calls go to a loopback
    // fake, and the user pool's key set is fetched from there too.
    const signing = makeSigningKey("factory-key");
    const ENV = {
        USER_POOL_ID,
        USER_POOL_CLIENT_ID: CLIENT_ID,
        IDENTITY_POOL_ID,
        USER_FILES_BUCKET: BUCKET,
        USER_FILES_PREFIX: PREFIX,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: "AKIAEXECUTIONROLE",
        AWS_SECRET_ACCESS_KEY: "execution-role-secret",
    };
    let fake: Awaited<ReturnType<typeof startFakeAws>>;
    const saved: Record<string, string | undefined> = {};
    const originalRequest = https.request;

    before(async () => {
        fake = await startFakeAws({ jwks: { keys: [signing.jwk] }, region: REGION, bucket: BUCKET, prefix: PREFIX });
        const env: Record<string, string> = { ...ENV, AWS_ENDPOINT_URL_COGNITO_IDENTITY: fake.url, AWS_ENDPOINT_URL_S3: fake.url };
        for (const [name, value] of Object.entries(env)) {
            saved[name] = process.env[name];
            process.env[name] = value;
        }
        (https as { request: unknown }).request = function request(this: unknown, uri: unknown, ...rest: unknown[]) {
            const url = typeof uri === "string" ? new URL(uri) : uri instanceof URL ? uri : null;
            if (url && /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/.test(url.hostname)) {
                const [options, callback] = rest as [import("https").RequestOptions, (res: http.IncomingMessage) => void];
                return http.request(`${fake.url}${url.pathname}`, { ...options, agent: undefined }, callback);
            }
            return (originalRequest as (...args: unknown[]) => unknown).apply(this, [uri, ...rest]);
        };
    });
    after(async () => {
        (https as { request: unknown }).request = originalRequest;
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
        await fake.close();
    });
    beforeEach(() => fake.calls.splice(0));

    it("serves a user's IdToken of the app client, naming the user pool as the identity provider", async () => {
        fake.objects.set(`${PREFIX}/${identityIdFor(REGION, "alice")}/data.txt`, "hello alice");
        const handler = readFileCallbackFactory();
        const response = await handler(event(idToken(signing, "alice")));
        assert.strictEqual(response.statusCode, 200, response.body);
        assert.strictEqual(JSON.parse(response.body).data, "hello alice");
        assert.deepStrictEqual(fake.calls, ["jwks", "GetId", "GetCredentialsForIdentity", `GetObject ${PREFIX}/${identityIdFor(REGION, "alice")}/data.txt`]);
    });

    it("refuses an access token of the app client, an IdToken of another client and one of another pool, before any identity-pool call", async () => {
        const handler = readFileCallbackFactory();
        const tokens = {
            access: idToken(signing, "alice", { claims: { token_use: "access", aud: undefined, client_id: CLIENT_ID, scope: "aws.cognito.signin.user.admin" } }),
            otherClient: idToken(signing, "alice", { claims: { aud: "anotherclient0123456789ab" } }),
            otherPool: idToken(signing, "alice", { claims: { iss: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_OtherPool` } }),
        };
        for (const [kind, token] of Object.entries(tokens)) {
            const response = await handler(event(token));
            assert.strictEqual(response.statusCode, 401, kind);
            assert.strictEqual(JSON.parse(response.body).error, "invalid_token", kind);
        }
        assert.deepStrictEqual(
            fake.calls.filter((call) => call !== "jwks"),
            [],
            "no identity-pool or S3 call for a refused token",
        );
    });
});
