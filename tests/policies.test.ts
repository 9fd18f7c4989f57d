/**
 * The policy builders of components/policies/workload.ts, called directly (they are plain functions) and
 * judged by the IAM policy engine: each test asks for a decision, not for a text. These tests
 * build every document inside the test, never while the file loads nor in a `before` hook, so
 * that mutation testing (`npm run mutate:policies`) credits each changed builder to the tests
 * that notice it. They take a few seconds and need no Pulumi program.
 */
import * as assert from "assert";

import { validatePolicy, PolicyKind } from "../analysis/catalog";
import { decide, sessionOf } from "../analysis/engine";
import { inlinePolicyText, policy, PolicyDocument, ROLE_INLINE_POLICY_QUOTA } from "../components/policies/document";
import { cloudTrailDeliveryStatements, crossAccountTrustPolicy, identityPoolTrustPolicy, invokePolicy, lambdaTrustPolicy, logDeliveryPolicy, logWritingPolicy, perIdentityStoragePolicy, serverAccessLogDeliveryStatement, smokeChecksPolicy, SmokeScope, smokeUsersBrokerPolicy, tlsOnlyBucketPolicy, webIdentityTrustPolicy, workloadBoundaryPolicy } from "../components/policies/workload";

const ACCOUNT = "111122223333";
const OTHER_ACCOUNT = "444455556666";
const REGION = "ap-northeast-1";
const A_ID = `${REGION}:aaaaaaaa-0000-4000-8000-000000000001`;
const B_ID = `${REGION}:bbbbbbbb-0000-4000-8000-000000000002`;
const BUCKET = "federated-access-deve-user-files-1";
const PREFIX = "cognito-test";
const POOL = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_pool`;
const OTHER_POOL = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_other`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/federated-access/deve/identities-user`;
const SMOKE_USERS_ACTIONS = [
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminRespondToAuthChallenge",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:ListUsers",
];
/** What no workload role, and not the smoke-users broker, may ever do in a user pool or identity pool. */
const TAKEOVER_ACTIONS = [
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminResetUserPassword",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminRemoveUserFromGroup",
    "cognito-idp:UpdateUserPool",
];

const sidsOf = (doc: PolicyDocument) => doc.Statement.map((s) => s.Sid);
const object = (owner: string, bucket = BUCKET, prefix = PREFIX) => `arn:aws:s3:::${bucket}/${prefix}/${owner}/data.txt`;

const boundary = () =>
    workloadBoundaryPolicy({
        accountId: ACCOUNT,
        region: REGION,
        userFilesBucketPrefix: "federated-access-deve-user-files-",
        userFilesPrefix: PREFIX,
        apiExecutionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:api123`,
        logGroupPrefix: "/federated-access/deve/",
        userPoolArn: POOL,
    });

const smokeScope: SmokeScope = {
    smokeUsersFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:federated-access-deve-smoke-users`,
    userFilesBucket: BUCKET,
    recordsPrefix: "smoke_runs/",
    userFilesPrefix: PREFIX,
    callerRoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/ApiAllowByIamRoleDeve`,
};

/** A question from a role session of the account holding `identityPolicies` (and, for S3, identity A's id). */
const askAs = (identityPolicies: object[], action: string, resource: string, context: Record<string, string | string[]> = {}, permissionBoundaries?: object[]) =>
    decide({ principal: sessionOf(ROLE, "session"), action, resource, resourceAccount: ACCOUNT, identityPolicies, permissionBoundaries, context, identityId: A_ID });

describe("policy builders: every document passes AWS's catalogue of actions, resources and condition keys", () => {
    const cases: [string, PolicyKind, () => PolicyDocument][] = [
        ["identity pool trust", "trust", () => identityPoolTrustPolicy(`${REGION}:00000000-1111-4222-8333-444444444444`)],
        ["per-identity storage", "identity", () => perIdentityStoragePolicy(BUCKET, PREFIX)],
        ["TLS-only bucket policy", "resource", () => tlsOnlyBucketPolicy(BUCKET)],
        ["Lambda trust", "trust", () => lambdaTrustPolicy()],
        ["log writing", "identity", () => logWritingPolicy(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/federated-access/deve/read-file`)],
        ["invoke", "identity", () => invokePolicy([`arn:aws:execute-api:${REGION}:${ACCOUNT}:api123/*`])],
        ["cross-account trust", "trust", () => crossAccountTrustPolicy(`arn:aws:iam::${OTHER_ACCOUNT}:role/Caller`, "external-1")],
        ["CloudTrail delivery", "resource", () => policy(...cloudTrailDeliveryStatements(BUCKET, ACCOUNT, `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/t`))],
        ["server access log delivery", "resource", () => policy(serverAccessLogDeliveryStatement(BUCKET, "s3-access/", "federated-access-deve-audit-logs-1", ACCOUNT))],
        ["log delivery", "resource", () => logDeliveryPolicy(ACCOUNT, REGION, "/federated-access/deve/api-access")],
        [
            "web identity trust",
            "trust",
            () => webIdentityTrustPolicy(`arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`, "token.actions.githubusercontent.com", { aud: "sts.amazonaws.com", sub: ["repo:o/r:ref:refs/heads/main"] }),
        ],
        ["workload boundary", "boundary", boundary],
        ["smoke-users broker", "identity", () => smokeUsersBrokerPolicy(POOL)],
        ["smoke checks", "identity", () => smokeChecksPolicy(smokeScope)],
    ];
    for (const [name, kind, build] of cases) {
        it(name, async () => {
            const doc = build();
            assert.strictEqual(doc.Version, "2012-10-17");
            assert.deepStrictEqual(await validatePolicy(doc, { name, kind }), []);
        });
    }

    it("names each statement by a Sid of its own (reviews, findings and the people model's break-once checks name statements by Sid)", () => {
        const expected: [PolicyDocument, string[]][] = [
            [identityPoolTrustPolicy("p"), ["AuthenticatedIdentitiesOfThisPool"]],
            [perIdentityStoragePolicy(BUCKET, PREFIX), ["OwnFolderObjects", "ListOwnFolderOnly"]],
            [tlsOnlyBucketPolicy(BUCKET), ["DenyInsecureTransport"]],
            [lambdaTrustPolicy(), ["LambdaService"]],
            [logWritingPolicy("arn:aws:logs:r:1:log-group:g"), ["OwnLogGroupOnly"]],
            [invokePolicy(["arn"]), ["InvokeApi"]],
            [crossAccountTrustPolicy("arn"), ["CallerRoleOnly"]],
            [policy(...cloudTrailDeliveryStatements(BUCKET, ACCOUNT, "trail")), ["CloudTrailAclCheck", "CloudTrailWrite"]],
            [policy(serverAccessLogDeliveryStatement(BUCKET, "p/", "src", ACCOUNT)), ["ServerAccessLogDelivery"]],
            [logDeliveryPolicy(ACCOUNT, REGION, "g"), ["AWSLogDeliveryWrite"]],
            [webIdentityTrustPolicy("arn", "host", { aud: "a" }), ["WebIdentityOfThisProvider"]],
            [boundary(), ["OwnIdentityFolderObjects", "ListOwnIdentityFolder", "InvokeStageApi", "WriteStageLogs", "SmokeUsersOfStagePool"]],
            [smokeUsersBrokerPolicy(POOL), ["SmokeUsersOfStagePool"]],
            [smokeChecksPolicy(smokeScope), ["SmokeUsersBroker", "ListRunRecords", "RunRecords", "BecomeTheStageCaller"]],
        ];
        for (const [doc, sids] of expected) {
            assert.deepStrictEqual(sidsOf(doc), sids);
        }
    });
});

describe("policy builders: identity-pool storage and its trust", () => {
    const storage = () => perIdentityStoragePolicy(BUCKET, PREFIX);

    for (const [name, build] of [
        ["the identity's storage policy", storage],
        ["the stage boundary", boundary],
    ] as const) {
        it(`${name}: objects of the identity's own folder only`, async () => {
            const policies = [build()];
            for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                assert.strictEqual(await askAs(policies, action, object(A_ID)), "Allowed", action);
                assert.strictEqual(await askAs(policies, action, `arn:aws:s3:::${BUCKET}/${PREFIX}/${A_ID}/deep/er.txt`), "Allowed", `${action} deeper in the folder`);
                assert.notStrictEqual(await askAs(policies, action, object(B_ID)), "Allowed", `${action} in another folder`);
                assert.notStrictEqual(await askAs(policies, action, `arn:aws:s3:::${BUCKET}/other/${A_ID}/data.txt`), "Allowed", `${action} under another prefix`);
                assert.notStrictEqual(await askAs(policies, action, `arn:aws:s3:::${BUCKET}/${A_ID}/data.txt`), "Allowed", `${action} at the bucket root`);
                assert.notStrictEqual(await askAs(policies, action, object(A_ID, "another-bucket")), "Allowed", `${action} in another bucket`);
            }
            for (const action of ["s3:PutObjectAcl", "s3:GetObjectAcl", "s3:DeleteObjectVersion", "s3:PutBucketPolicy"]) {
                assert.notStrictEqual(await askAs(policies, action, action.includes("Bucket") ? `arn:aws:s3:::${BUCKET}` : object(A_ID)), "Allowed", action);
            }
        });

        it(`${name}: listing only inside the identity's own folder`, async () => {
            const policies = [build()];
            const bucketArn = `arn:aws:s3:::${BUCKET}`;
            assert.strictEqual(await askAs(policies, "s3:ListBucket", bucketArn, { "s3:prefix": `${PREFIX}/${A_ID}/` }), "Allowed");
            assert.strictEqual(await askAs(policies, "s3:ListBucket", bucketArn, { "s3:prefix": `${PREFIX}/${A_ID}/data.txt` }), "Allowed");
            for (const listPrefix of ["", `${PREFIX}/`, `${PREFIX}/${B_ID}/`, `${PREFIX}/${A_ID}`, `${PREFIX}/${A_ID}x/`]) {
                assert.notStrictEqual(await askAs(policies, "s3:ListBucket", bucketArn, { "s3:prefix": listPrefix }), "Allowed", `prefix '${listPrefix}'`);
            }
            assert.notStrictEqual(await askAs(policies, "s3:ListBucket", bucketArn), "Allowed", "no prefix");
            assert.notStrictEqual(await askAs(policies, "s3:ListBucket", "arn:aws:s3:::another-bucket", { "s3:prefix": `${PREFIX}/${A_ID}/` }), "Allowed", "another bucket");
        });
    }

    it("the identity roles' trust: authenticated identities of this pool only, through Cognito Identity only", async () => {
        const pool = `${REGION}:00000000-1111-4222-8333-444444444444`;
        const trust = identityPoolTrustPolicy(pool);
        const assume = (aud: string, amr: string[], principal = "cognito-identity.amazonaws.com", action = "sts:AssumeRoleWithWebIdentity") =>
            decide({ principal, action, resource: ROLE, resourcePolicy: trust, context: { "cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": amr } });
        assert.strictEqual(await assume(pool, ["authenticated", "cognito-idp.example"]), "Allowed");
        assert.notStrictEqual(await assume(pool, ["unauthenticated"]), "Allowed");
        assert.notStrictEqual(await assume(`${REGION}:99999999-1111-4222-8333-444444444444`, ["authenticated"]), "Allowed", "another identity pool");
        assert.notStrictEqual(await assume(pool, ["authenticated"], "accounts.google.com"), "Allowed", "another federated provider");
        assert.notStrictEqual(await assume(pool, ["authenticated"], sessionOf(`arn:aws:iam::${ACCOUNT}:role/Other`, "s"), "sts:AssumeRole"), "Allowed", "a role of the account");
    });

    it("the user files bucket refuses plain HTTP to everyone, on the bucket and its objects, and refuses nothing over TLS", async () => {
        const tls = tlsOnlyBucketPolicy(BUCKET);
        const own = storage();
        for (const [action, resource] of [
            ["s3:ListBucket", `arn:aws:s3:::${BUCKET}`],
            ["s3:GetObject", object(A_ID)],
            ["s3:PutObject", object(A_ID)],
        ]) {
            const over = (secure: string, principal = sessionOf(ROLE, "s")) =>
                decide({ principal, action, resource, resourceAccount: ACCOUNT, identityPolicies: [own], resourcePolicy: tls, context: { "aws:SecureTransport": secure, "s3:prefix": `${PREFIX}/${A_ID}/` }, identityId: A_ID });
            assert.strictEqual(await over("false"), "ExplicitlyDenied", `${action} ${resource}`);
            assert.strictEqual(await over("false", sessionOf(`arn:aws:iam::${OTHER_ACCOUNT}:role/Anyone`, "s")), "ExplicitlyDenied", `${action}, another account`);
            assert.strictEqual(await over("true"), "Allowed", `${action} ${resource}: TLS requests pass`);
        }
        const other = await decide({ principal: sessionOf(ROLE, "s"), action: "s3:GetObject", resource: "arn:aws:s3:::another-bucket/x", resourceAccount: ACCOUNT, identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }], resourcePolicy: tls, context: { "aws:SecureTransport": "false" } });
        assert.strictEqual(other, "Allowed", "the policy names its own bucket only");
    });
});

describe("policy builders: function and API roles", () => {
    it("Lambda, and only Lambda, assumes an execution role", async () => {
        const trust = lambdaTrustPolicy();
        const assume = (principal: string, action = "sts:AssumeRole") => decide({ principal, action, resource: ROLE, resourcePolicy: trust });
        assert.strictEqual(await assume("lambda.amazonaws.com"), "Allowed");
        assert.notStrictEqual(await assume("ec2.amazonaws.com"), "Allowed");
        assert.notStrictEqual(await assume(sessionOf(`arn:aws:iam::${ACCOUNT}:role/Other`, "s")), "Allowed");
    });

    it("a function writes its own log group's streams only", async () => {
        const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/federated-access/deve/read-file`;
        const policies = [logWritingPolicy(group)];
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
            assert.strictEqual(await askAs(policies, action, `${group}:log-stream:2026/01/01`), "Allowed", action);
            assert.notStrictEqual(await askAs(policies, action, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/federated-access/deve/other:log-stream:x`), "Allowed", `${action}, another group`);
        }
        for (const action of ["logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:GetLogEvents"]) {
            assert.notStrictEqual(await askAs(policies, action, `${group}:log-stream:x`), "Allowed", action);
        }
    });

    it("invoke rights name the given routes and nothing else", async () => {
        const api = `arn:aws:execute-api:${REGION}:${ACCOUNT}:api123`;
        const policies = [invokePolicy([`${api}/$default/GET/whoami`, `${api}/$default/GET/read-file`])];
        assert.strictEqual(await askAs(policies, "execute-api:Invoke", `${api}/$default/GET/whoami`), "Allowed");
        assert.strictEqual(await askAs(policies, "execute-api:Invoke", `${api}/$default/GET/read-file`), "Allowed");
        assert.notStrictEqual(await askAs(policies, "execute-api:Invoke", `${api}/$default/GET/admin`), "Allowed");
        assert.notStrictEqual(await askAs(policies, "execute-api:ManageConnections", `${api}/$default/GET/whoami`), "Allowed");
    });

    describe("cross-account trust", () => {
        const caller = `arn:aws:iam::${OTHER_ACCOUNT}:role/Caller`;
        const target = `arn:aws:iam::${ACCOUNT}:role/ApiAllowByIamRoleDeve`;
        const mayAssume = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: target }] };
        const assume = (trust: PolicyDocument, principalRole: string, context: Record<string, string> = {}) =>
            decide({ principal: sessionOf(principalRole, "s"), action: "sts:AssumeRole", resource: target, identityPolicies: [mayAssume], resourcePolicy: trust, context });

        it("with an external id: the one caller role, presenting that id", async () => {
            const trust = crossAccountTrustPolicy(caller, "external-1");
            assert.strictEqual(await assume(trust, caller, { "sts:ExternalId": "external-1" }), "Allowed");
            assert.notStrictEqual(await assume(trust, caller, { "sts:ExternalId": "external-2" }), "Allowed", "another external id");
            assert.notStrictEqual(await assume(trust, caller), "Allowed", "no external id");
            assert.notStrictEqual(await assume(trust, `arn:aws:iam::${OTHER_ACCOUNT}:role/Other`, { "sts:ExternalId": "external-1" }), "Allowed", "another role of the caller's account");
        });

        it("without an external id: the one caller role, with no condition to meet", async () => {
            const trust = crossAccountTrustPolicy(caller);
            assert.strictEqual(await assume(trust, caller), "Allowed");
            assert.notStrictEqual(await assume(trust, `arn:aws:iam::${OTHER_ACCOUNT}:role/Other`), "Allowed");
            assert.strictEqual(trust.Statement[0].Condition, undefined, "no condition at all, not an empty one");
        });
    });
});

describe("policy builders: deliveries by AWS services", () => {
    const trail = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/federated-access-deve-audit`;
    const bucketArn = `arn:aws:s3:::${BUCKET}`;
    const asService = (service: string, resourcePolicy: object, action: string, resource: string, context: Record<string, string>) =>
        decide({ principal: service, action, resource, resourceAccount: ACCOUNT, resourcePolicy, context });

    it("CloudTrail checks the bucket's ACL and writes under AWSLogs/<account>/, for the one trail, handing the objects to the bucket owner", async () => {
        const doc = policy(...cloudTrailDeliveryStatements(BUCKET, ACCOUNT, trail));
        const ct = (action: string, resource: string, context: Record<string, string>) => asService("cloudtrail.amazonaws.com", doc, action, resource, context);
        const write = { "aws:SourceArn": trail, "s3:x-amz-acl": "bucket-owner-full-control" };
        const logObject = `${bucketArn}/AWSLogs/${ACCOUNT}/CloudTrail/x.json.gz`;
        assert.strictEqual(await ct("s3:GetBucketAcl", bucketArn, { "aws:SourceArn": trail }), "Allowed");
        assert.notStrictEqual(await ct("s3:GetBucketAcl", bucketArn, { "aws:SourceArn": `${trail}-other` }), "Allowed", "another trail");
        assert.strictEqual(await ct("s3:PutObject", logObject, write), "Allowed");
        assert.notStrictEqual(await ct("s3:PutObject", logObject, { ...write, "aws:SourceArn": `${trail}-other` }), "Allowed", "another trail");
        assert.notStrictEqual(await ct("s3:PutObject", logObject, { ...write, "s3:x-amz-acl": "private" }), "Allowed", "objects the bucket owner would not own");
        assert.notStrictEqual(await ct("s3:PutObject", `${bucketArn}/AWSLogs/${OTHER_ACCOUNT}/x.json.gz`, write), "Allowed", "another account's folder");
        assert.notStrictEqual(await ct("s3:PutObject", `${bucketArn}/${PREFIX}/x`, write), "Allowed", "outside AWSLogs/");
        assert.notStrictEqual(await ct("s3:GetObject", logObject, write), "Allowed", "reading the logs");
        assert.notStrictEqual(await asService("logging.s3.amazonaws.com", doc, "s3:PutObject", logObject, write), "Allowed", "another service");
    });

    it("S3 server access logging writes under its prefix only, for the one source bucket of the account", async () => {
        const source = "federated-access-deve-audit-logs-1";
        const doc = policy(serverAccessLogDeliveryStatement(BUCKET, "s3-access/", source, ACCOUNT));
        const ok = { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:s3:::${source}` };
        const put = (resource: string, context: Record<string, string>, service = "logging.s3.amazonaws.com") => asService(service, doc, "s3:PutObject", resource, context);
        assert.strictEqual(await put(`${bucketArn}/s3-access/2026-01-01-x`, ok), "Allowed");
        assert.notStrictEqual(await put(`${bucketArn}/other/2026-01-01-x`, ok), "Allowed", "outside the prefix");
        assert.notStrictEqual(await put(`${bucketArn}/s3-access/x`, { ...ok, "aws:SourceAccount": OTHER_ACCOUNT }), "Allowed", "another account's bucket");
        assert.notStrictEqual(await put(`${bucketArn}/s3-access/x`, { ...ok, "aws:SourceArn": "arn:aws:s3:::another-bucket" }), "Allowed", "another source bucket");
        assert.notStrictEqual(await put(`${bucketArn}/s3-access/x`, ok, "cloudtrail.amazonaws.com"), "Allowed", "another service");
    });

    it("log delivery writes the one log group, for sources of the account in the region only", async () => {
        const group = "/federated-access/deve/api-access";
        const doc = logDeliveryPolicy(ACCOUNT, REGION, group);
        const ok = { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:logs:${REGION}:${ACCOUNT}:delivery-source:api` };
        const stream = (g: string, region = REGION) => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${g}:log-stream:s`;
        const write = (action: string, resource: string, context: Record<string, string>, service = "delivery.logs.amazonaws.com") => asService(service, doc, action, resource, context);
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
            assert.strictEqual(await write(action, stream(group), ok), "Allowed", action);
            assert.notStrictEqual(await write(action, stream("/federated-access/prod/api-access"), ok), "Allowed", `${action}, another group`);
            assert.notStrictEqual(await write(action, stream(group, "us-east-1"), ok), "Allowed", `${action}, another region`);
            assert.notStrictEqual(await write(action, stream(group), { ...ok, "aws:SourceAccount": OTHER_ACCOUNT }), "Allowed", `${action}, another account's source`);
            assert.notStrictEqual(await write(action, stream(group), { ...ok, "aws:SourceArn": `arn:aws:logs:${REGION}:${OTHER_ACCOUNT}:delivery-source:api` }), "Allowed", `${action}, a source ARN of another account`);
            assert.notStrictEqual(await write(action, stream(group), { ...ok, "aws:SourceArn": `arn:aws:logs:us-east-1:${ACCOUNT}:delivery-source:api` }), "Allowed", `${action}, a source of another region`);
            assert.notStrictEqual(await write(action, stream(group), ok, "cloudtrail.amazonaws.com"), "Allowed", `${action}, another service`);
        }
        assert.notStrictEqual(await write("logs:DeleteLogGroup", stream(group), ok), "Allowed");
    });
});

describe("policy builders: web identity trust", () => {
    const HOST = "token.actions.githubusercontent.com";
    const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
    const MAIN = "repo:o/r:environment:deve:ref:refs/heads/main";
    const assume = (trust: PolicyDocument, aud: string, sub: string, provider = PROVIDER) =>
        decide({
            principal: provider,
            action: "sts:AssumeRoleWithWebIdentity",
            resource: `arn:aws:iam::${ACCOUNT}:role/ci`,
            resourcePolicy: trust,
            context: { [`${HOST}:aud`]: aud, [`${HOST}:sub`]: sub },
            webIdentityProvider: HOST,
        });

    it("pins the audience, whatever the subject rule", async () => {
        for (const claims of [{ aud: "sts.amazonaws.com" }, { aud: "sts.amazonaws.com", sub: [MAIN] }, { aud: "sts.amazonaws.com", subLike: ["repo:o/r:*"] }]) {
            const trust = webIdentityTrustPolicy(PROVIDER, HOST, claims);
            assert.strictEqual(await assume(trust, "sts.amazonaws.com", MAIN), "Allowed", JSON.stringify(claims));
            assert.notStrictEqual(await assume(trust, "another-audience", MAIN), "Allowed", JSON.stringify(claims));
            assert.notStrictEqual(await assume(trust, "sts.amazonaws.com", MAIN, `arn:aws:iam::${ACCOUNT}:oidc-provider/other.example.com`), "Allowed", "another provider");
        }
    });

    it("admits exactly the subjects given, one or several", async () => {
        const one = webIdentityTrustPolicy(PROVIDER, HOST, { aud: "sts.amazonaws.com", sub: [MAIN] });
        assert.strictEqual(await assume(one, "sts.amazonaws.com", MAIN), "Allowed");
        assert.notStrictEqual(await assume(one, "sts.amazonaws.com", "repo:o/r:environment:prod:ref:refs/heads/main"), "Allowed");
        assert.notStrictEqual(await assume(one, "sts.amazonaws.com", "repo:o/r:*"), "Allowed", "a pattern is not a subject: StringEquals");
        const two = webIdentityTrustPolicy(PROVIDER, HOST, { aud: "sts.amazonaws.com", sub: [MAIN, "repo:o/r:environment:deve-smoke:ref:refs/heads/main"] });
        assert.strictEqual(await assume(two, "sts.amazonaws.com", MAIN), "Allowed");
        assert.strictEqual(await assume(two, "sts.amazonaws.com", "repo:o/r:environment:deve-smoke:ref:refs/heads/main"), "Allowed");
        assert.notStrictEqual(await assume(two, "sts.amazonaws.com", "repo:o/r:pull_request"), "Allowed");
    });

    it("admits subjects matching the patterns given, one or several, and nothing else", async () => {
        const one = webIdentityTrustPolicy(PROVIDER, HOST, { aud: "sts.amazonaws.com", subLike: ["repo:o/r:pull_request:ref:refs/pull/*/merge"] });
        assert.strictEqual(await assume(one, "sts.amazonaws.com", "repo:o/r:pull_request:ref:refs/pull/42/merge"), "Allowed");
        assert.notStrictEqual(await assume(one, "sts.amazonaws.com", MAIN), "Allowed");
        const two = webIdentityTrustPolicy(PROVIDER, HOST, { aud: "sts.amazonaws.com", subLike: ["repo:o/r:pull_request:*", "repo:o/r:environment:deve:*"] });
        assert.strictEqual(await assume(two, "sts.amazonaws.com", "repo:o/r:pull_request:x"), "Allowed");
        assert.strictEqual(await assume(two, "sts.amazonaws.com", MAIN), "Allowed");
        assert.notStrictEqual(await assume(two, "sts.amazonaws.com", "repo:o/other:pull_request:x"), "Allowed");
    });

    it("writes one subject as a value and several as a list: the shape every stack has deployed (the same to IAM)", () => {
        const subOf = (doc: PolicyDocument, operator: string) => doc.Statement[0].Condition?.[operator]?.[`${HOST}:sub`];
        assert.strictEqual(subOf(webIdentityTrustPolicy(PROVIDER, HOST, { aud: "a", sub: ["s1"] }), "StringEquals"), "s1");
        assert.deepStrictEqual(subOf(webIdentityTrustPolicy(PROVIDER, HOST, { aud: "a", sub: ["s1", "s2"] }), "StringEquals"), ["s1", "s2"]);
        assert.strictEqual(subOf(webIdentityTrustPolicy(PROVIDER, HOST, { aud: "a", subLike: ["p1"] }), "StringLike"), "p1");
        assert.deepStrictEqual(subOf(webIdentityTrustPolicy(PROVIDER, HOST, { aud: "a", subLike: ["p1", "p2"] }), "StringLike"), ["p1", "p2"]);
        assert.deepStrictEqual(Object.keys(webIdentityTrustPolicy(PROVIDER, HOST, { aud: "a" }).Statement[0].Condition ?? {}), ["StringEquals"], "no subject rule: no StringLike either");
    });

    it("refuses both subject rules at once, and an empty one", () => {
        assert.throws(() => webIdentityTrustPolicy(PROVIDER, HOST, { aud: "a", sub: ["s"], subLike: ["p*"] }), /^Error: webIdentityTrustPolicy: give sub or subLike, not both$/);
        assert.throws(() => webIdentityTrustPolicy(PROVIDER, HOST, { aud: "a", sub: [] }), /^Error: webIdentityTrustPolicy: sub, when given, must name at least one subject$/);
        assert.throws(() => webIdentityTrustPolicy(PROVIDER, HOST, { aud: "a", subLike: [] }), /^Error: webIdentityTrustPolicy: subLike, when given, must name at least one subject$/);
    });
});

describe("policy builders: the stage boundary and the smoke rights", () => {
    it("the boundary: the stage's API and log groups, nothing of another stage", async () => {
        const policies = [boundary()];
        assert.strictEqual(await askAs(policies, "execute-api:Invoke", `arn:aws:execute-api:${REGION}:${ACCOUNT}:api123/$default/GET/read-file`), "Allowed");
        assert.notStrictEqual(await askAs(policies, "execute-api:Invoke", `arn:aws:execute-api:${REGION}:${ACCOUNT}:api999/$default/GET/read-file`), "Allowed");
        const logs = (group: string, region = REGION) => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${group}:log-stream:s`;
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
            assert.strictEqual(await askAs(policies, action, logs("/federated-access/deve/read-file")), "Allowed", action);
            assert.notStrictEqual(await askAs(policies, action, logs("/federated-access/prod/read-file")), "Allowed", action);
            assert.notStrictEqual(await askAs(policies, action, logs("/federated-access/deve/read-file", "us-east-1")), "Allowed", `${action}, another region`);
            assert.notStrictEqual(
                await askAs(policies, action, `arn:aws:logs:${REGION}:${OTHER_ACCOUNT}:log-group:/federated-access/deve/read-file:log-stream:s`, {}),
                "Allowed",
                `${action}, another account`,
            );
        }
        assert.notStrictEqual(await askAs(policies, "logs:DeleteLogGroup", logs("/federated-access/deve/read-file")), "Allowed");
    });

    it("the boundary caps a role's own grants: a role granted everything reaches only what the boundary allows", async () => {
        const everything = [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }];
        const bounded = (action: string, resource: string, context: Record<string, string> = {}) => askAs(everything, action, resource, context, [boundary()]);
        assert.strictEqual(await bounded("s3:GetObject", object(A_ID)), "Allowed");
        assert.notStrictEqual(await bounded("s3:GetObject", object(B_ID)), "Allowed");
        assert.notStrictEqual(await bounded("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/x`), "Allowed");
    });

    for (const [name, build] of [
        ["the boundary", boundary],
        ["the smoke-users broker's policy", () => smokeUsersBrokerPolicy(POOL)],
    ] as const) {
        it(`${name}: the broker's actions on the stage's user pool only; no takeover, no identity deletion`, async () => {
            const policies = [build()];
            for (const action of SMOKE_USERS_ACTIONS) {
                assert.strictEqual(await askAs(policies, action, POOL), "Allowed", action);
                assert.notStrictEqual(await askAs(policies, action, OTHER_POOL), "Allowed", `${action} on another pool`);
            }
            for (const action of TAKEOVER_ACTIONS) {
                assert.notStrictEqual(await askAs(policies, action, POOL), "Allowed", action);
            }
            assert.notStrictEqual(await askAs(policies, "cognito-identity:DeleteIdentities", "*"), "Allowed");
        });
    }

    it("the smoke checks: invoke the broker, keep run records under their prefix, become the stage's caller; nothing else", async () => {
        const policies = [smokeChecksPolicy(smokeScope)];
        const bucketArn = `arn:aws:s3:::${BUCKET}`;
        assert.strictEqual(await askAs(policies, "lambda:InvokeFunction", smokeScope.smokeUsersFunctionArn), "Allowed");
        assert.notStrictEqual(await askAs(policies, "lambda:InvokeFunction", `arn:aws:lambda:${REGION}:${ACCOUNT}:function:federated-access-deve-read-file`), "Allowed");
        assert.notStrictEqual(await askAs(policies, "lambda:UpdateFunctionCode", smokeScope.smokeUsersFunctionArn), "Allowed");
        assert.strictEqual(await askAs(policies, "s3:ListBucket", bucketArn, { "s3:prefix": "smoke_runs/run-1/" }), "Allowed");
        for (const listPrefix of ["", `${PREFIX}/`, `${PREFIX}/${A_ID}/`, "smoke_run"]) {
            assert.notStrictEqual(await askAs(policies, "s3:ListBucket", bucketArn, { "s3:prefix": listPrefix }), "Allowed", `prefix '${listPrefix}'`);
        }
        assert.notStrictEqual(await askAs(policies, "s3:ListBucket", "arn:aws:s3:::another-bucket", { "s3:prefix": "smoke_runs/" }), "Allowed", "another bucket");
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
            assert.strictEqual(await askAs(policies, action, `${bucketArn}/smoke_runs/run-1.json`), "Allowed", action);
            assert.notStrictEqual(await askAs(policies, action, object(A_ID)), "Allowed", `${action} in a user's folder`);
            assert.notStrictEqual(await askAs(policies, action, `arn:aws:s3:::another-bucket/smoke_runs/run-1.json`), "Allowed", `${action} in another bucket`);
        }
        assert.strictEqual(await askAs(policies, "sts:AssumeRole", smokeScope.callerRoleArn), "Allowed");
        assert.notStrictEqual(await askAs(policies, "sts:AssumeRole", `arn:aws:iam::${OTHER_ACCOUNT}:role/Admin`), "Allowed");
        for (const action of [...SMOKE_USERS_ACTIONS, "cognito-identity:DeleteIdentities"]) {
            assert.notStrictEqual(await askAs(policies, action, action.startsWith("cognito-idp") ? POOL : "*"), "Allowed", action);
        }
    });

    it("the smoke checks: refuses a records prefix without a closing '/' or overlapping the user folders", () => {
        const message = (recordsPrefix: string) =>
            `smokeChecksPolicy: the run records' prefix '${recordsPrefix}' must end in '/' and lie outside the user folders under '${PREFIX}/'`;
        for (const recordsPrefix of ["smoke_runs", `${PREFIX}/smoke/`, "cognito-", ""]) {
            assert.throws(() => smokeChecksPolicy({ ...smokeScope, recordsPrefix }), (e: Error) => e.message === message(recordsPrefix), recordsPrefix);
        }
        assert.doesNotThrow(() => smokeChecksPolicy({ ...smokeScope, recordsPrefix: "cognito-test-records/" }), "a sibling of the user folders' prefix");
    });
});

describe("policy builders: IAM's size quota for a role's inline policies", () => {
    const docOfLength = (length: number): PolicyDocument => {
        const base = JSON.stringify(policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "" }));
        return policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "x".repeat(length - base.length) });
    };

    it("passes a policy of exactly the quota through as its JSON, and refuses one character more, saying how to shorten it", () => {
        assert.strictEqual(ROLE_INLINE_POLICY_QUOTA, 10_240);
        const full = docOfLength(ROLE_INLINE_POLICY_QUOTA);
        assert.strictEqual(inlinePolicyText(full, "ci-deploy"), JSON.stringify(full));
        assert.strictEqual(inlinePolicyText(full, "ci-deploy").length, ROLE_INLINE_POLICY_QUOTA);
        assert.throws(
            () => inlinePolicyText(docOfLength(ROLE_INLINE_POLICY_QUOTA + 1), "ci-deploy"),
            (e: Error) => e.message === "ci-deploy: the policy is 10241 characters, over IAM's 10240-character quota for a role's inline policies; shorter project and stage names shorten it",
        );
    });
});
