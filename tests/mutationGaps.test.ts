/**
 * Security properties that mutation testing (`npm run mutate`) showed no test would miss if they
 * changed: each test here kills mutants that survived the rest of the suite. They run the
 * production code: the handler, the exchange and the Lambda factory as deployed, and the policy
 * builders under the IAM policy engine.
 */
import * as assert from "assert";
import * as http from "http";


import { apiGatewayDecision } from "../analysis/ciRights";
import { decide, sessionOf } from "../analysis/engine";
import { ciDeployPolicy, StageScope } from "../components/ciPolicies";
import { identityPoolTrustPolicy, perIdentityStoragePolicy, tlsOnlyBucketPolicy, workloadBoundaryPolicy } from "../components/policies";
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

// The policy builders themselves, under the IAM policy engine. The rest of the suite reads them
// through one program run per process, which a mutation run cannot repeat per mutant.

const ACCOUNT = "111122223333";
const A_ID = `${REGION}:aaaaaaaa-0000-4000-8000-000000000001`;
const B_ID = `${REGION}:bbbbbbbb-0000-4000-8000-000000000002`;

describe("mutation gaps: identity-pool storage and trust policies", () => {
    const bucket = "federated-access-deve-user-files-1";
    const prefix = "cognito-test";
    // Built inside each test, never while the file loads: a mutation run measures what tests run.
    const storage = () => perIdentityStoragePolicy(bucket, prefix);
    const boundary = () => workloadBoundaryPolicy({
        accountId: ACCOUNT,
        region: REGION,
        userFilesBucketPrefix: "federated-access-deve-user-files-",
        userFilesPrefix: prefix,
        apiExecutionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:api123`,
        logGroupPrefix: "/federated-access/deve/",
        userPoolArn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_pool`,
    });
    const principal = sessionOf(`arn:aws:iam::${ACCOUNT}:role/federated-access/deve/identities-user`, "CognitoIdentityCredentials");
    const ask = (policies: object[], action: string, resource: string, context: Record<string, string> = {}) =>
        decide({ principal, action, resource, identityPolicies: policies, context, identityId: A_ID });
    const object = (owner: string) => `arn:aws:s3:::${bucket}/${prefix}/${owner}/data.txt`;

    for (const [name, build] of [
        ["the identity's storage policy", storage],
        ["the stage boundary", boundary],
    ] as const) {
        it(`${name}: objects of the identity's own folder only`, async () => {
            const policies = [build()];
            for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                assert.strictEqual(await ask(policies, action, object(A_ID)), "Allowed", action);
                assert.notStrictEqual(await ask(policies, action, object(B_ID)), "Allowed", `${action} in another folder`);
                assert.notStrictEqual(await ask(policies, action, `arn:aws:s3:::${bucket}/other/${A_ID}/data.txt`), "Allowed", `${action} under another prefix`);
            }
        });

        it(`${name}: listing only inside the identity's own folder`, async () => {
            const policies = [build()];
            const bucketArn = `arn:aws:s3:::${bucket}`;
            assert.strictEqual(await ask(policies, "s3:ListBucket", bucketArn, { "s3:prefix": `${prefix}/${A_ID}/` }), "Allowed");
            assert.strictEqual(await ask(policies, "s3:ListBucket", bucketArn, { "s3:prefix": `${prefix}/${A_ID}/data.txt` }), "Allowed");
            for (const listPrefix of ["", `${prefix}/`, `${prefix}/${B_ID}/`, `${prefix}/${A_ID}`]) {
                assert.notStrictEqual(await ask(policies, "s3:ListBucket", bucketArn, { "s3:prefix": listPrefix }), "Allowed", `prefix '${listPrefix}'`);
            }
            assert.notStrictEqual(await ask(policies, "s3:ListBucket", bucketArn), "Allowed", "no prefix");
        });
    }

    it("the stage boundary: the stage's API and log groups, nothing of another stage", async () => {
        const policy = boundary();
        assert.strictEqual(await ask([policy], "execute-api:Invoke", `arn:aws:execute-api:${REGION}:${ACCOUNT}:api123/$default/GET/read-file`), "Allowed");
        assert.notStrictEqual(await ask([policy], "execute-api:Invoke", `arn:aws:execute-api:${REGION}:${ACCOUNT}:api999/$default/GET/read-file`), "Allowed");
        const logs = (group: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:s`;
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
            assert.strictEqual(await ask([policy], action, logs("/federated-access/deve/read-file")), "Allowed", action);
            assert.notStrictEqual(await ask([policy], action, logs("/federated-access/prod/read-file")), "Allowed", action);
        }
    });

    it("the stage boundary: in the user pool, the smoke-users broker's actions on the stage's pool only; no takeover, no identity deletion", async () => {
        const policy = boundary();
        const pool = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_pool`;
        for (const action of ["cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser", "cognito-idp:ListUsers"]) {
            assert.strictEqual(await ask([policy], action, pool), "Allowed", action);
            assert.notStrictEqual(await ask([policy], action, `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_other`), "Allowed", `${action} on another pool`);
        }
        for (const action of ["cognito-idp:AdminSetUserPassword", "cognito-idp:AdminResetUserPassword", "cognito-idp:AdminUpdateUserAttributes", "cognito-idp:UpdateUserPool"]) {
            assert.notStrictEqual(await ask([policy], action, pool), "Allowed", action);
        }
        assert.notStrictEqual(await ask([policy], "cognito-identity:DeleteIdentities", "*"), "Allowed");
    });

    it("the identity roles' trust: authenticated identities of this pool only", async () => {
        const pool = `${REGION}:00000000-1111-4222-8333-444444444444`;
        const trust = identityPoolTrustPolicy(pool);
        const assume = (aud: string, amr: string[]) =>
            decide({
                principal: "cognito-identity.amazonaws.com",
                action: "sts:AssumeRoleWithWebIdentity",
                resource: `arn:aws:iam::${ACCOUNT}:role/federated-access/deve/identities-user`,
                resourcePolicy: trust,
                context: { "cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": amr },
            });
        assert.strictEqual(await assume(pool, ["authenticated", PROVIDER_NAME]), "Allowed");
        assert.notStrictEqual(await assume(pool, ["unauthenticated"]), "Allowed");
        assert.notStrictEqual(await assume(`${REGION}:99999999-1111-4222-8333-444444444444`, ["authenticated", PROVIDER_NAME]), "Allowed");
    });

    it("the user files bucket refuses plain HTTP to everyone, on the bucket and its objects", async () => {
        const tls = tlsOnlyBucketPolicy(bucket);
        const own = storage();
        for (const resource of [`arn:aws:s3:::${bucket}`, object(A_ID)]) {
            const action = resource.includes("/") ? "s3:GetObject" : "s3:ListBucket";
            const over = (secure: string) =>
                decide({ principal, action, resource, identityPolicies: [own], resourcePolicy: tls, context: { "aws:SecureTransport": secure, "s3:prefix": `${prefix}/${A_ID}/` }, identityId: A_ID });
            assert.strictEqual(await over("false"), "ExplicitlyDenied", resource);
            assert.strictEqual(await over("true"), "Allowed", `${resource}: the bucket policy lets TLS requests through`);
        }
    });
});

describe("mutation gaps: the deploy role's limits", () => {
    const scope: StageScope = {
        accountId: ACCOUNT,
        region: REGION,
        project: "federated-access",
        stage: "deve",
        namePrefix: "federated-access-deve",
        workloadRolePath: "/federated-access/deve/",
        extraRoleNames: ["ApiAllowByIamRoleDeve"],
        ciRolePath: "/federated-access-ci/deve/",
        boundaryArn: `arn:aws:iam::${ACCOUNT}:policy/federated-access-ci/deve/federated-access-deve-boundary`,
        bucketPrefix: "federated-access-deve-",
        auditBucketPrefix: "federated-access-deve-audit-logs-",
        logGroupPrefix: "/federated-access/deve/",
        apiId: "api123",
        userPoolId: `${REGION}_Pool1`,
        identityPoolId: `${REGION}:11111111-2222-4333-8444-555555555555`,
        trailName: "federated-access-deve-audit",
        githubProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
        allowDeletes: true,
    };
    const deploy = () => ciDeployPolicy(scope);
    const ask = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
        decide({
            principal: `arn:aws:sts::${ACCOUNT}:assumed-role/federated-access-deve-deploy/ci`,
            action,
            resource,
            resourceAccount: ACCOUNT,
            identityPolicies: [deploy()],
            context: { "aws:RequestedRegion": REGION, ...context },
        });
    const role = (pathAndName: string) => `arn:aws:iam::${ACCOUNT}:role${pathAndName}`;
    const workloadRole = role("/federated-access/deve/federated-access-deve-read-file-fn");

    it("creates and changes workload roles only with the stage's boundary", async () => {
        for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"]) {
            assert.strictEqual(await ask(action, workloadRole, { "iam:PermissionsBoundary": scope.boundaryArn }), "Allowed", action);
            assert.notStrictEqual(await ask(action, workloadRole, { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess` }), "Allowed", `${action} with another boundary`);
            assert.notStrictEqual(await ask(action, workloadRole, {}), "Allowed", `${action} without a boundary`);
            assert.notStrictEqual(await ask(action, role("/federated-access/prod/federated-access-prod-read-file-fn"), { "iam:PermissionsBoundary": scope.boundaryArn }), "Allowed", `${action} on another stage's role`);
            assert.notStrictEqual(await ask(action, role("/federated-access-ci/deve/federated-access-deve-deploy"), { "iam:PermissionsBoundary": scope.boundaryArn }), "Allowed", `${action} on a CI role`);
        }
    });

    it("passes only the stage's function execution roles, and only to Lambda", async () => {
        assert.strictEqual(await ask("iam:PassRole", workloadRole, { "iam:PassedToService": "lambda.amazonaws.com" }), "Allowed");
        assert.notStrictEqual(await ask("iam:PassRole", workloadRole, { "iam:PassedToService": "ec2.amazonaws.com" }), "Allowed");
        assert.notStrictEqual(await ask("iam:PassRole", role("/federated-access/deve/identities-admin"), { "iam:PassedToService": "lambda.amazonaws.com" }), "Allowed");
    });

    it("can never remove or rewrite a permissions boundary", async () => {
        assert.strictEqual(await ask("iam:DeleteRolePermissionsBoundary", workloadRole), "ExplicitlyDenied");
        for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"]) {
            assert.strictEqual(await ask(action, scope.boundaryArn), "ExplicitlyDenied", action);
        }
    });

    it("can never move a resource into or out of a stage by its tags", async () => {
        const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:federated-access-deve-read-file`;
        for (const [action, resource] of [
            ["iam:TagRole", workloadRole],
            ["lambda:TagResource", fn],
        ] as const) {
            assert.strictEqual(await ask(action, resource, { "aws:TagKeys": ["stage"], "aws:RequestTag/stage": "prod" }), "ExplicitlyDenied", `${action} stage=prod`);
            assert.strictEqual(await ask(action, resource, { "aws:TagKeys": ["project"], "aws:RequestTag/project": "another" }), "ExplicitlyDenied", `${action} project=another`);
            assert.strictEqual(await ask(action, resource, { "aws:TagKeys": ["stage"], "aws:RequestTag/stage": "deve" }), "Allowed", `${action} stage=deve`);
            assert.strictEqual(await ask(action, resource, { "aws:TagKeys": ["project"], "aws:RequestTag/project": "federated-access" }), "Allowed", `${action} project kept`);
        }
        for (const key of ["stage", "project"]) {
            assert.strictEqual(await ask("iam:UntagRole", workloadRole, { "aws:TagKeys": [key] }), "ExplicitlyDenied", `untag ${key}`);
        }
    });

    it("cannot stop, change or delete any trail of the account", async () => {
        for (const trail of [`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${scope.trailName}`, `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/organization-trail`]) {
            for (const action of ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors", "cloudtrail:RemoveTags"]) {
                assert.strictEqual(await ask(action, trail), "ExplicitlyDenied", `${action} ${trail}`);
            }
        }
    });

    it("cannot change the audit log bucket or its objects, though its name starts like the stage's buckets", async () => {
        const audit = "arn:aws:s3:::federated-access-deve-audit-logs-1";
        for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning"]) {
            assert.strictEqual(await ask(action, "arn:aws:s3:::federated-access-deve-user-files-1"), "Allowed", `${action} on a stage bucket`);
            assert.strictEqual(await ask(action, audit), "ExplicitlyDenied", `${action} on the audit bucket`);
        }
        assert.strictEqual(await ask("s3:DeleteObjectVersion", `${audit}/AWSLogs/${ACCOUNT}/x.json.gz`), "ExplicitlyDenied");
        assert.strictEqual(await ask("s3:GetBucketPolicy", audit), "Allowed", "its configuration stays readable for a refresh");
    });

    it("creates user pools only tagged for the stage, and manages only the stage's", async () => {
        const tags = (kind: string, stage: string, project = "federated-access") => ({ [`aws:${kind}/stage`]: stage, [`aws:${kind}/project`]: project });
        assert.strictEqual(await ask("cognito-idp:CreateUserPool", "*", tags("RequestTag", "deve")), "Allowed");
        assert.notStrictEqual(await ask("cognito-idp:CreateUserPool", "*", tags("RequestTag", "prod")), "Allowed");
        assert.notStrictEqual(await ask("cognito-idp:CreateUserPool", "*", tags("RequestTag", "deve", "another")), "Allowed");
        const pool = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${scope.userPoolId}`;
        assert.strictEqual(await ask("cognito-idp:UpdateUserPool", pool, tags("ResourceTag", "deve")), "Allowed");
        assert.notStrictEqual(await ask("cognito-idp:UpdateUserPool", pool, tags("ResourceTag", "prod")), "Allowed", "the pool retagged as another stage's");
        assert.notStrictEqual(await ask("cognito-idp:UpdateUserPool", pool, tags("ResourceTag", "deve", "another")), "Allowed", "the pool retagged as another project's");
        const other = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_Other`;
        assert.notStrictEqual(await ask("cognito-idp:UpdateUserPool", other, tags("ResourceTag", "deve")), "Allowed", "another pool tagged as the stage's");
        const identityPool = `arn:aws:cognito-identity:${REGION}:${ACCOUNT}:identitypool/${scope.identityPoolId}`;
        assert.strictEqual(await ask("cognito-identity:UpdateIdentityPool", identityPool, tags("ResourceTag", "deve")), "Allowed");
        assert.notStrictEqual(
            await ask("cognito-identity:UpdateIdentityPool", `arn:aws:cognito-identity:${REGION}:${ACCOUNT}:identitypool/${REGION}:99999999-2222-4333-8444-555555555555`, tags("ResourceTag", "deve")),
            "Allowed",
            "another identity pool tagged as the stage's",
        );
    });

    it("describes log groups in the stage's region only", async () => {
        assert.strictEqual(await ask("logs:DescribeLogGroups", "*"), "Allowed");
        assert.notStrictEqual(await ask("logs:DescribeLogGroups", "*", { "aws:RequestedRegion": "us-east-1" }), "Allowed");
    });

    it("cannot create or change a route that is not IAM-authorized", () => {
        const routes = `arn:aws:apigateway:${REGION}::/apis/${scope.apiId}/routes`;
        const decideRoute = (action: string, resource: string, authorization?: string) =>
            apiGatewayDecision([deploy()], action, resource, {
                "aws:RequestedRegion": REGION,
                ...(authorization === undefined ? {} : { "apigateway:Request/RouteAuthorizationType": authorization }),
            });
        for (const [action, resource] of [
            ["apigateway:POST", routes],
            ["apigateway:PATCH", `${routes}/route1`],
        ] as const) {
            assert.strictEqual(decideRoute(action, resource, "AWS_IAM"), "Allowed", action);
            for (const authorization of ["NONE", "JWT", "CUSTOM"]) {
                assert.strictEqual(decideRoute(action, resource, authorization), "Denied", `${action} ${authorization}`);
            }
        }
        // A route created without a type would get API Gateway's default; an update that names none (the
        // provider sends the type only when it changes) leaves the route's type as it is.
        assert.strictEqual(decideRoute("apigateway:POST", routes, undefined), "Denied", "a route created with no type");
        assert.strictEqual(decideRoute("apigateway:PATCH", `${routes}/route1`, undefined), "Allowed", "an update of the target or operation name");
        assert.strictEqual(decideRoute("apigateway:POST", `arn:aws:apigateway:${REGION}::/apis/${scope.apiId}/integrations`), "Allowed", "the deny is scoped to routes");
        assert.strictEqual(decideRoute("apigateway:POST", `arn:aws:apigateway:${REGION}::/apis/otherapi/routes`, "AWS_IAM"), "Denied", "another API");
    });
});
