/**
 * The CI roles' policy builders of components/policies/ci.ts, called directly and judged by the IAM
 * policy engine (API Gateway's HTTP API paths by `apiGatewayDecision`, which the catalogue cannot
 * decide). tests/ciRights.test.ts checks the same rights against the provider's calls for every
 * resource of the synthesized stacks; this file states them one by one, for a stage that may
 * delete and one that may not, with and without an audit trail, and shows each limit holding
 * against another stage's resource. Every document is built inside a test, so that mutation
 * testing (`npm run mutate:policies`) credits a changed builder to the tests that notice it.
 */
import * as assert from "assert";

import { validatePolicy } from "../analysis/catalog";
import { apiGatewayDecision, grantedActions } from "../analysis/ciRights";
import { decide } from "../analysis/engine";
import type * as CiPolicies from "../components/policies/ci";
import { PolicyDocument } from "../components/policies/document";

type StageScope = CiPolicies.StageScope;

/**
 * components/policies/ci.ts, loaded anew: its action lists are module-level constants, and a module
 * loaded once per process fixes them before any test runs. Loaded inside each test (once), the lists are
 * read by the tests that check them, so mutation testing changes one list at a time in the same
 * process instead of starting a fresh one per change.
 */
function ciPolicies(): typeof CiPolicies {
    if (loaded === undefined) {
        delete require.cache[require.resolve("../components/policies/ci")];
        loaded = require("../components/policies/ci") as typeof CiPolicies;
    }
    return loaded;
}
let loaded: typeof CiPolicies | undefined;
// Once per test, on the test's first call: the hook only forgets, the test itself loads.
beforeEach(() => {
    loaded = undefined;
});
const ciDeployPolicy = (scope: StageScope) => ciPolicies().ciDeployPolicy(scope);
const ciPreviewPolicy = (scope: StageScope) => ciPolicies().ciPreviewPolicy(scope);
const ciStatePolicy = (...args: Parameters<typeof CiPolicies.ciStatePolicy>) => ciPolicies().ciStatePolicy(...args);

const ACCOUNT = "111122223333";
const REGION = "ap-northeast-1";
const USER_POOL_ID = `${REGION}_Pool1`;
const IDENTITY_POOL_ID = `${REGION}:11111111-2222-4333-8444-555555555555`;

/** deve: may delete, has a trail. */
const DEVE: StageScope = {
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
    auditBucketPrefix: "federated-access-deve-audit-",
    logGroupPrefix: "/federated-access/deve/",
    apiId: "api123",
    userPoolId: USER_POOL_ID,
    identityPoolId: IDENTITY_POOL_ID,
    trailName: "federated-access-deve-audit",
    githubProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    allowDeletes: true,
};
/** The same stage keeping its data, without a trail of its own. */
const KEEPS_DATA: StageScope = { ...DEVE, allowDeletes: false, trailName: undefined };

const role = (pathAndName: string) => `arn:aws:iam::${ACCOUNT}:role${pathAndName}`;
const EXECUTION_ROLE = role("/federated-access/deve/federated-access-deve-read-file-fn");
const WORKLOAD_ROLE = role("/federated-access/deve/identities-user");
const EXTRA_ROLE = role("/ApiAllowByIamRoleDeve");
const PROD_ROLE = role("/federated-access/prod/federated-access-prod-read-file-fn");
const CI_ROLE = role("/federated-access-ci/deve/federated-access-deve-ci-deploy");
const PROD_CI_ROLE = role("/federated-access-ci/prod/federated-access-prod-ci-deploy");
const OIDC_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
const OTHER_OIDC_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/cognito-idp.${REGION}.amazonaws.com/${REGION}_Other`;
const BUCKET = "arn:aws:s3:::federated-access-deve-user-files-1";
const PROD_BUCKET = "arn:aws:s3:::federated-access-prod-user-files-1";
const AUDIT_BUCKET = "arn:aws:s3:::federated-access-deve-audit-logs-1";
const USER_POOL = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${USER_POOL_ID}`;
const OTHER_USER_POOL = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_Other`;
const IDENTITY_POOL = `arn:aws:cognito-identity:${REGION}:${ACCOUNT}:identitypool/${IDENTITY_POOL_ID}`;
const OTHER_IDENTITY_POOL = `arn:aws:cognito-identity:${REGION}:${ACCOUNT}:identitypool/${REGION}:99999999-2222-4333-8444-555555555555`;
const FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:federated-access-deve-read-file`;
const PROD_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:federated-access-prod-read-file`;
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/federated-access/deve/read-file`;
const PROD_LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/federated-access/prod/read-file`;
const TRAIL = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/federated-access-deve-audit`;
const PROD_TRAIL = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/federated-access-prod-audit`;
const STATE_POLICY = `arn:aws:iam::${ACCOUNT}:policy/federated-access-ci/deve/federated-access-deve-ci-deploy-state`;
const PROD_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/federated-access-ci/prod/federated-access-prod-boundary`;

const tags = (kind: "ResourceTag" | "RequestTag", stage = "deve", project = "federated-access") => ({ [`aws:${kind}/stage`]: stage, [`aws:${kind}/project`]: project });
const BOUNDED = { "iam:PermissionsBoundary": DEVE.boundaryArn };
const IN_REGION = { "aws:RequestedRegion": REGION };

type Context = Record<string, string | string[]>;
/** Actions allowed on `resource` (with `context`), and refused on `other` (with `otherContext`, else the same context). */
interface Grant {
    readonly actions: readonly string[];
    readonly resource: string;
    readonly context?: Context;
    readonly other: string;
    readonly otherContext?: Context;
}

/** What deletes data or every membership: granted only where the stage may delete. */
const DATA_DELETES = new Set([
    "s3:DeleteBucket",
    "s3:ListBucketVersions",
    "s3:DeleteObjectVersion",
    "cognito-idp:DeleteGroup",
    "cognito-idp:DeleteUserPool",
    "cognito-identity:DeleteIdentityPool",
    "logs:DeleteLogGroup",
]);
const TRAIL_ONLY = new Set(["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "cloudtrail:GetInsightSelectors", "cloudtrail:ListTags"]);

const ROLE_READS = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"];
const BUCKET_CONFIG_READS = [
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketOwnershipControls",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketVersioning",
    "s3:GetLifecycleConfiguration",
    "s3:GetBucketTagging",
    "s3:ListTagsForResource",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketWebsite",
    "s3:GetBucketLogging",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketRequestPayment",
    "s3:GetAccelerateConfiguration",
    "s3:GetReplicationConfiguration",
];
const USER_POOL_READS = ["cognito-idp:DescribeUserPool", "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:DescribeUserPoolClient", "cognito-idp:GetGroup"];
const IDENTITY_POOL_READS = ["cognito-identity:DescribeIdentityPool", "cognito-identity:GetIdentityPoolRoles"];
const FUNCTION_READS = ["lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:ListVersionsByFunction", "lambda:GetPolicy"];
const TRAIL_READS = ["cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "cloudtrail:GetInsightSelectors", "cloudtrail:ListTags"];

/** What both CI roles read of the administrator's resources. */
const ADMINISTERED_READS: Grant[] = [
    { actions: ROLE_READS, resource: CI_ROLE, other: PROD_CI_ROLE },
    { actions: ["iam:GetPolicy", "iam:GetPolicyVersion"], resource: DEVE.boundaryArn, other: PROD_BOUNDARY },
    { actions: ["iam:GetPolicy", "iam:GetPolicyVersion"], resource: STATE_POLICY, other: `arn:aws:iam::${ACCOUNT}:policy/federated-access-ci/prod/federated-access-prod-ci-deploy-state` },
    { actions: ["iam:GetOpenIDConnectProvider"], resource: DEVE.githubProviderArn, other: `arn:aws:iam::${ACCOUNT}:oidc-provider/other.example.com` },
    { actions: TRAIL_READS, resource: TRAIL, other: PROD_TRAIL },
];

const PREVIEW_GRANTS: Grant[] = [
    { actions: ROLE_READS, resource: WORKLOAD_ROLE, other: PROD_ROLE },
    { actions: ROLE_READS, resource: EXTRA_ROLE, other: role("/ApiAllowByIamRoleProd") },
    { actions: ["iam:GetOpenIDConnectProvider"], resource: OIDC_PROVIDER, context: tags("ResourceTag"), other: OIDC_PROVIDER, otherContext: tags("ResourceTag", "prod") },
    { actions: ["iam:GetOpenIDConnectProvider"], resource: OIDC_PROVIDER, context: tags("ResourceTag"), other: OTHER_OIDC_PROVIDER },
    { actions: BUCKET_CONFIG_READS, resource: BUCKET, other: PROD_BUCKET },
    { actions: USER_POOL_READS, resource: USER_POOL, context: tags("ResourceTag"), other: USER_POOL, otherContext: tags("ResourceTag", "deve", "another") },
    { actions: USER_POOL_READS, resource: USER_POOL, context: tags("ResourceTag"), other: OTHER_USER_POOL },
    { actions: IDENTITY_POOL_READS, resource: IDENTITY_POOL, context: tags("ResourceTag"), other: IDENTITY_POOL, otherContext: tags("ResourceTag", "prod") },
    { actions: IDENTITY_POOL_READS, resource: IDENTITY_POOL, context: tags("ResourceTag"), other: OTHER_IDENTITY_POOL },
    { actions: FUNCTION_READS, resource: FUNCTION, other: PROD_FUNCTION },
    { actions: ["logs:ListTagsForResource"], resource: LOG_GROUP, other: PROD_LOG_GROUP },
    { actions: ["logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "cloudtrail:DescribeTrails"], resource: "*", context: IN_REGION, other: "*", otherContext: { "aws:RequestedRegion": "us-east-1" } },
    ...ADMINISTERED_READS,
];

const DEPLOY_GRANTS: Grant[] = [
    ...[EXECUTION_ROLE, WORKLOAD_ROLE, EXTRA_ROLE].flatMap((resource): Grant[] => [
        {
            actions: ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:PutRolePermissionsBoundary", "iam:DeleteRole"],
            resource,
            context: BOUNDED,
            other: resource,
            otherContext: { "iam:PermissionsBoundary": PROD_BOUNDARY },
        },
        { actions: [...ROLE_READS, "iam:TagRole", "iam:UntagRole", "iam:ListInstanceProfilesForRole"], resource, other: PROD_ROLE },
    ]),
    { actions: ["iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"], resource: EXECUTION_ROLE, context: BOUNDED, other: EXECUTION_ROLE, otherContext: {} },
    { actions: ["iam:CreateRole", "iam:PutRolePolicy"], resource: EXECUTION_ROLE, context: BOUNDED, other: CI_ROLE },
    { actions: ["iam:CreateRole", "iam:PutRolePolicy"], resource: EXECUTION_ROLE, context: BOUNDED, other: PROD_ROLE },
    { actions: ["iam:PassRole"], resource: EXECUTION_ROLE, context: { "iam:PassedToService": "lambda.amazonaws.com" }, other: EXECUTION_ROLE, otherContext: { "iam:PassedToService": "ec2.amazonaws.com" } },
    { actions: ["iam:PassRole"], resource: EXECUTION_ROLE, context: { "iam:PassedToService": "lambda.amazonaws.com" }, other: WORKLOAD_ROLE },
    { actions: ["iam:PassRole"], resource: EXECUTION_ROLE, context: { "iam:PassedToService": "lambda.amazonaws.com" }, other: PROD_ROLE },
    { actions: ["iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"], resource: OIDC_PROVIDER, context: tags("RequestTag"), other: OIDC_PROVIDER, otherContext: tags("RequestTag", "prod") },
    { actions: ["iam:CreateOpenIDConnectProvider"], resource: OIDC_PROVIDER, context: tags("RequestTag"), other: OTHER_OIDC_PROVIDER },
    {
        actions: [
            "iam:GetOpenIDConnectProvider",
            "iam:TagOpenIDConnectProvider",
            "iam:UntagOpenIDConnectProvider",
            "iam:UpdateOpenIDConnectProviderThumbprint",
            "iam:AddClientIDToOpenIDConnectProvider",
            "iam:RemoveClientIDFromOpenIDConnectProvider",
            "iam:DeleteOpenIDConnectProvider",
        ],
        resource: OIDC_PROVIDER,
        context: tags("ResourceTag"),
        other: OIDC_PROVIDER,
        otherContext: tags("ResourceTag", "deve", "another"),
    },
    { actions: ["iam:UpdateOpenIDConnectProviderThumbprint", "iam:DeleteOpenIDConnectProvider"], resource: OIDC_PROVIDER, context: tags("ResourceTag"), other: OTHER_OIDC_PROVIDER },
    {
        actions: [
            "s3:CreateBucket",
            "s3:ListBucket",
            ...BUCKET_CONFIG_READS,
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketOwnershipControls",
            "s3:PutEncryptionConfiguration",
            "s3:PutBucketVersioning",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketTagging",
            "s3:TagResource",
            "s3:UntagResource",
            "s3:DeleteBucket",
            "s3:ListBucketVersions",
        ],
        resource: BUCKET,
        other: PROD_BUCKET,
    },
    { actions: ["s3:DeleteObjectVersion"], resource: `${BUCKET}/any/key`, other: `${PROD_BUCKET}/any/key` },
    { actions: ["cognito-idp:CreateUserPool", "cognito-identity:CreateIdentityPool"], resource: "*", context: tags("RequestTag"), other: "*", otherContext: tags("RequestTag", "prod") },
    { actions: ["cognito-idp:CreateUserPool", "cognito-identity:CreateIdentityPool"], resource: "*", context: tags("RequestTag"), other: "*", otherContext: tags("RequestTag", "deve", "another") },
    {
        actions: [
            ...USER_POOL_READS,
            "cognito-idp:UpdateUserPool",
            "cognito-idp:SetUserPoolMfaConfig",
            "cognito-idp:CreateUserPoolClient",
            "cognito-idp:UpdateUserPoolClient",
            "cognito-idp:DeleteUserPoolClient",
            "cognito-idp:CreateGroup",
            "cognito-idp:UpdateGroup",
            "cognito-idp:DeleteGroup",
            "cognito-idp:TagResource",
            "cognito-idp:UntagResource",
            "cognito-idp:DeleteUserPool",
        ],
        resource: USER_POOL,
        context: tags("ResourceTag"),
        other: USER_POOL,
        otherContext: tags("ResourceTag", "prod"),
    },
    { actions: ["cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool"], resource: USER_POOL, context: tags("ResourceTag"), other: USER_POOL, otherContext: tags("ResourceTag", "deve", "another") },
    { actions: ["cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool"], resource: USER_POOL, context: tags("ResourceTag"), other: OTHER_USER_POOL },
    {
        actions: [...IDENTITY_POOL_READS, "cognito-identity:UpdateIdentityPool", "cognito-identity:TagResource", "cognito-identity:UntagResource", "cognito-identity:DeleteIdentityPool"],
        resource: IDENTITY_POOL,
        context: tags("ResourceTag"),
        other: IDENTITY_POOL,
        otherContext: tags("ResourceTag", "prod"),
    },
    { actions: ["cognito-identity:UpdateIdentityPool"], resource: IDENTITY_POOL, context: tags("ResourceTag"), other: IDENTITY_POOL, otherContext: tags("ResourceTag", "deve", "another") },
    { actions: ["cognito-identity:UpdateIdentityPool"], resource: IDENTITY_POOL, context: tags("ResourceTag"), other: OTHER_IDENTITY_POOL },
    {
        actions: [
            ...FUNCTION_READS,
            "lambda:CreateFunction",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "lambda:AddPermission",
            "lambda:RemovePermission",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:DeleteFunction",
        ],
        resource: FUNCTION,
        other: PROD_FUNCTION,
    },
    { actions: ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:DeleteLogGroup"], resource: LOG_GROUP, other: PROD_LOG_GROUP },
    {
        actions: [
            "logs:DescribeLogGroups",
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:DescribeResourcePolicies",
            "cloudtrail:DescribeTrails",
        ],
        resource: "*",
        context: IN_REGION,
        other: "*",
        otherContext: { "aws:RequestedRegion": "us-east-1" },
    },
    ...ADMINISTERED_READS,
];

const API = `arn:aws:apigateway:${REGION}::/apis/${DEVE.apiId}`;
const OTHER_API = `arn:aws:apigateway:${REGION}::/apis/otherapi`;
/** API Gateway's grants: [actions, resource on the stage's API, the same on another API, request context]. */
const API_GRANTS: [string[], string, string, Context][] = [
    [["apigateway:POST"], `arn:aws:apigateway:${REGION}::/apis`, `arn:aws:apigateway:us-east-1::/apis`, { ...tags("RequestTag"), "apigateway:Request/RouteAuthorizationType": "AWS_IAM" }],
    [["apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"], API, OTHER_API, {}],
    [["apigateway:GET", "apigateway:POST", "apigateway:PATCH", "apigateway:DELETE"], `${API}/integrations/i1`, `${OTHER_API}/integrations/i1`, {}],
    [["apigateway:POST", "apigateway:PATCH"], `${API}/routes/r1`, `${OTHER_API}/routes/r1`, { "apigateway:Request/RouteAuthorizationType": "AWS_IAM" }],
    [["apigateway:POST", "apigateway:DELETE"], `arn:aws:apigateway:${REGION}::/tags/${encodeURIComponent(API)}`, `arn:aws:apigateway:${REGION}::/tags/${encodeURIComponent(OTHER_API)}`, {}],
    [["apigateway:POST", "apigateway:DELETE"], `arn:aws:apigateway:${REGION}::/tags/${API}/stages/$default`, `arn:aws:apigateway:${REGION}::/tags/${OTHER_API}/stages/$default`, {}],
];

const principal = (kind: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/federated-access-deve-ci-${kind}/ci`;
const ask = (doc: PolicyDocument, kind: string, action: string, resource: string, context: Context = {}) =>
    decide({ principal: principal(kind), action, resource, resourceAccount: ACCOUNT, identityPolicies: [doc], context: { ...IN_REGION, ...context } });

/** Each action of each grant, as (action, resource, context) on the stage and beside it. */
async function checkGrants(doc: PolicyDocument, kind: string, grants: Grant[], expected: (action: string) => boolean) {
    for (const g of grants) {
        for (const action of g.actions) {
            const want = expected(action);
            const got = await ask(doc, kind, action, g.resource, g.context);
            assert.strictEqual(got === "Allowed", want, `${kind}: ${action} on ${g.resource} ${JSON.stringify(g.context ?? {})} is ${got}`);
            const beside = await ask(doc, kind, action, g.other, g.otherContext ?? g.context);
            assert.notStrictEqual(beside, "Allowed", `${kind}: ${action} on ${g.other} ${JSON.stringify(g.otherContext ?? g.context ?? {})}`);
        }
    }
}

const actionsOf = (grants: Grant[]) => [...new Set(grants.flatMap((g) => g.actions))].sort();

describe("CI policy builders: preview", () => {
    for (const scope of [DEVE, KEEPS_DATA]) {
        const label = `${scope.allowDeletes ? "deleting" : "keeping"} stage, ${scope.trailName ? "with" : "without"} a trail`;

        it(`${label}: reads the configuration of the stage's resources and the administrator's, and nothing of another stage`, async () => {
            const doc = ciPreviewPolicy(scope);
            await checkGrants(doc, "preview", PREVIEW_GRANTS, (action) => !!scope.trailName || !TRAIL_ONLY.has(action));
        });

        it(`${label}: grants no action beyond those, and passes AWS's catalogue`, async () => {
            const doc = ciPreviewPolicy(scope);
            assert.deepStrictEqual(grantedActions([doc]), [...actionsOf(PREVIEW_GRANTS).filter((a) => !!scope.trailName || !TRAIL_ONLY.has(a)), "apigateway:GET"].sort());
            assert.deepStrictEqual(await validatePolicy(doc, { name: "ci-preview", kind: "identity" }), []);
        });
    }

    it("reads no data and changes nothing: no object, no user, no secret, no write", async () => {
        const doc = ciPreviewPolicy(DEVE);
        for (const [action, resource] of [
            ["s3:GetObject", `${BUCKET}/cognito-test/x`],
            ["s3:ListBucket", BUCKET],
            ["cognito-idp:ListUsers", USER_POOL],
            ["cognito-idp:AdminGetUser", USER_POOL],
            ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:x`],
            ["iam:PutRolePolicy", WORKLOAD_ROLE],
            ["lambda:UpdateFunctionCode", FUNCTION],
            ["s3:PutBucketPolicy", BUCKET],
        ]) {
            assert.notStrictEqual(await ask(doc, "preview", action, resource, tags("ResourceTag")), "Allowed", action);
        }
        assert.strictEqual(apiGatewayDecision([doc], "apigateway:GET", `${API}/routes`, {}), "Allowed");
        assert.strictEqual(apiGatewayDecision([doc], "apigateway:GET", API, {}), "Allowed");
        assert.strictEqual(apiGatewayDecision([doc], "apigateway:GET", `${OTHER_API}/routes`, {}), "Denied");
        assert.strictEqual(apiGatewayDecision([doc], "apigateway:PATCH", API, {}), "Denied");
    });

    it("names each statement by a Sid of its own", () => {
        assert.deepStrictEqual(
            ciPreviewPolicy(DEVE).Statement.map((s) => s.Sid),
            ["ReadStageRoles", "ReadUserPoolOidcProviders", "ReadBucketConfiguration", "ReadUserPools", "ReadIdentityPools", "ReadFunctions", "ReadLogGroups", "ReadApi", "DescribeUnscoped", "ReadCiRoles", "ReadAdministeredPolicies", "ReadGitHubProvider", "ReadAuditTrail"],
        );
        assert.ok(!ciPreviewPolicy(KEEPS_DATA).Statement.some((s) => s.Sid === "ReadAuditTrail"));
    });
});

describe("CI policy builders: deploy", () => {
    for (const scope of [DEVE, KEEPS_DATA]) {
        const label = `${scope.allowDeletes ? "deleting" : "keeping"} stage, ${scope.trailName ? "with" : "without"} a trail`;
        const expected = (action: string) => (scope.allowDeletes || !DATA_DELETES.has(action)) && (!!scope.trailName || !TRAIL_ONLY.has(action));

        it(`${label}: changes the stage's resources (deleting data only where the stage may), reads the administrator's, and nothing of another stage`, async () => {
            await checkGrants(ciDeployPolicy(scope), "deploy", DEPLOY_GRANTS, expected);
        });

        it(`${label}: manages the stage's HTTP API by its id, and no other API`, () => {
            const doc = ciDeployPolicy(scope);
            for (const [actions, resource, other, context] of API_GRANTS) {
                for (const action of actions) {
                    assert.strictEqual(apiGatewayDecision([doc], action, resource, { ...IN_REGION, ...context }), "Allowed", `${action} ${resource}`);
                    assert.strictEqual(apiGatewayDecision([doc], action, other, { ...IN_REGION, ...context }), "Denied", `${action} ${other}`);
                }
            }
            assert.strictEqual(apiGatewayDecision([doc], "apigateway:POST", `arn:aws:apigateway:${REGION}::/apis`, { ...tags("RequestTag", "prod"), "apigateway:Request/RouteAuthorizationType": "AWS_IAM" }), "Denied", "an API tagged for another stage");
        });

        it(`${label}: grants no action beyond those, and passes AWS's catalogue`, async () => {
            const doc = ciDeployPolicy(scope);
            const apiActions = [...new Set(API_GRANTS.flatMap(([actions]) => actions))];
            assert.deepStrictEqual(grantedActions([doc]), [...actionsOf(DEPLOY_GRANTS).filter(expected), ...apiActions].sort());
            assert.deepStrictEqual(await validatePolicy(doc, { name: "ci-deploy", kind: "identity" }), []);
        });
    }

    it("names each statement by a Sid of its own", () => {
        const sids = (scope: StageScope) => ciDeployPolicy(scope).Statement.map((s) => s.Sid);
        const common = ["BoundedStageRoles", "StageRoleTagsAndReads", "PassExecutionRolesToLambda", "CreateUserPoolOidcProvider", "ManageUserPoolOidcProvider", "ManageStageBuckets"];
        const rest = [
            "CreateTaggedPools",
            "ManageStageUserPool",
            "ManageStageIdentityPool",
            "ManageStageFunctions",
            "ManageStageLogGroups",
            "CreateTaggedApi",
            "ManageStageApi",
            "TagStageApi",
            "NoRouteWithoutIam",
            "NoRouteOfUnstatedAuthorization",
            "AccessLogsStayInStage",
            "DescribeAndLogDeliveryUnscoped",
            "KeepStageTag",
            "KeepProjectTag",
            "AuditTrailIsOutOfReach",
            "AuditLogsAreOutOfReach",
            "BoundariesStay",
            "ReadCiRoles",
            "ReadAdministeredPolicies",
            "ReadGitHubProvider",
        ];
        assert.deepStrictEqual(sids(DEVE), [...common, "EmptyStageBuckets", ...rest, "ReadAuditTrail"]);
        assert.deepStrictEqual(sids(KEEPS_DATA), [...common, ...rest]);
    });
});

describe("CI policy builders: the deploy role's limits", () => {
    const deploy = () => ciDeployPolicy(DEVE);
    const askDeploy = (doc: PolicyDocument, action: string, resource: string, context: Context = {}) => ask(doc, "deploy", action, resource, context);

    it("can never remove or rewrite a permissions boundary, nor any managed policy", async () => {
        const doc = deploy();
        assert.strictEqual(await askDeploy(doc, "iam:DeleteRolePermissionsBoundary", EXECUTION_ROLE), "ExplicitlyDenied");
        for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"]) {
            for (const policy of [DEVE.boundaryArn, `arn:aws:iam::${ACCOUNT}:policy/AnyPolicy`]) {
                assert.strictEqual(await askDeploy(doc, action, policy), "ExplicitlyDenied", `${action} ${policy}`);
            }
        }
    });

    it("can never move a resource into or out of a stage by its tags, in any case of the key", async () => {
        const doc = deploy();
        for (const [action, resource] of [
            ["iam:TagRole", EXECUTION_ROLE],
            ["iam:TagOpenIDConnectProvider", OIDC_PROVIDER],
            ["lambda:TagResource", FUNCTION],
            ["logs:TagResource", LOG_GROUP],
            ["cognito-idp:TagResource", USER_POOL],
            ["cognito-identity:TagResource", IDENTITY_POOL],
        ] as const) {
            const on = (context: Context) => askDeploy(doc, action, resource, { ...tags("ResourceTag"), ...context });
            for (const key of ["stage", "Stage", "STAGE"]) {
                assert.strictEqual(await on({ "aws:TagKeys": [key], [`aws:RequestTag/${key}`]: "prod" }), "ExplicitlyDenied", `${action} ${key}=prod`);
            }
            assert.strictEqual(await on({ "aws:TagKeys": ["owner", "stage"], "aws:RequestTag/stage": "prod" }), "ExplicitlyDenied", `${action} stage=prod among other tags`);
            assert.strictEqual(await on({ "aws:TagKeys": ["project"], "aws:RequestTag/project": "another" }), "ExplicitlyDenied", `${action} project=another`);
            assert.strictEqual(await on({ "aws:TagKeys": ["Project"], "aws:RequestTag/Project": "another" }), "ExplicitlyDenied", `${action} Project=another`);
            assert.strictEqual(await on({ "aws:TagKeys": ["stage"], "aws:RequestTag/stage": "deve" }), "Allowed", `${action} stage=deve`);
            assert.strictEqual(await on({ "aws:TagKeys": ["project"], "aws:RequestTag/project": "federated-access" }), "Allowed", `${action} project kept`);
            assert.strictEqual(await on({ "aws:TagKeys": ["owner"], "aws:RequestTag/owner": "me" }), "Allowed", `${action} another tag`);
        }
        for (const [action, resource] of [
            ["iam:UntagRole", EXECUTION_ROLE],
            ["lambda:UntagResource", FUNCTION],
            ["cognito-idp:UntagResource", USER_POOL],
        ] as const) {
            for (const key of ["stage", "project"]) {
                assert.strictEqual(await askDeploy(doc, action, resource, { ...tags("ResourceTag"), "aws:TagKeys": [key] }), "ExplicitlyDenied", `${action} ${key}`);
            }
            assert.strictEqual(await askDeploy(doc, action, resource, { ...tags("ResourceTag"), "aws:TagKeys": ["owner"] }), "Allowed", `${action} owner`);
        }
    });

    it("cannot stop, change or delete any trail of the account", async () => {
        const doc = deploy();
        for (const trail of [TRAIL, `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/organization-trail`]) {
            for (const action of ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors", "cloudtrail:RemoveTags"]) {
                assert.strictEqual(await askDeploy(doc, action, trail), "ExplicitlyDenied", `${action} ${trail}`);
            }
        }
    });

    it("cannot change the audit log bucket or its objects, though its name starts like the stage's buckets; reads its configuration", async () => {
        const doc = deploy();
        for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:DeleteBucket", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketTagging"]) {
            assert.strictEqual(await askDeploy(doc, action, BUCKET), "Allowed", `${action} on a stage bucket`);
            assert.strictEqual(await askDeploy(doc, action, AUDIT_BUCKET), "ExplicitlyDenied", `${action} on the audit bucket`);
        }
        for (const action of ["s3:DeleteObjectVersion", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]) {
            assert.strictEqual(await askDeploy(doc, action, `${AUDIT_BUCKET}/AWSLogs/${ACCOUNT}/x.json.gz`), "ExplicitlyDenied", action);
        }
        for (const action of ["s3:ListBucket", "s3:ListTagsForResource", ...BUCKET_CONFIG_READS]) {
            assert.strictEqual(await askDeploy(doc, action, AUDIT_BUCKET), "Allowed", `${action}: its configuration stays readable for a refresh`);
        }
    });

    it("never puts or deletes a CloudWatch Logs resource policy", async () => {
        const doc = deploy();
        for (const action of ["logs:PutResourcePolicy", "logs:DeleteResourcePolicy"]) {
            assert.notStrictEqual(await askDeploy(doc, action, "*"), "Allowed", action);
        }
    });

    it("cannot create or change a route that is not IAM-authorized, nor create one that states no type", () => {
        const doc = deploy();
        const routes = `${API}/routes`;
        const decideRoute = (action: string, resource: string, authorization?: string) =>
            apiGatewayDecision([doc], action, resource, { ...IN_REGION, ...(authorization === undefined ? {} : { "apigateway:Request/RouteAuthorizationType": authorization }) });
        for (const [action, resource] of [
            ["apigateway:POST", routes],
            ["apigateway:PATCH", `${routes}/route1`],
            ["apigateway:PATCH", API],
        ] as const) {
            assert.strictEqual(decideRoute(action, resource, "AWS_IAM"), "Allowed", action);
            for (const authorization of ["NONE", "JWT", "CUSTOM"]) {
                assert.strictEqual(decideRoute(action, resource, authorization), "Denied", `${action} ${resource} ${authorization}`);
            }
        }
        const quickCreate = (authorization: string) =>
            apiGatewayDecision([doc], "apigateway:POST", `arn:aws:apigateway:${REGION}::/apis`, { ...IN_REGION, ...tags("RequestTag"), "apigateway:Request/RouteAuthorizationType": authorization });
        assert.strictEqual(quickCreate("AWS_IAM"), "Allowed");
        assert.strictEqual(quickCreate("NONE"), "Denied", "a quick-create API whose route is not IAM-authorized");
        assert.strictEqual(decideRoute("apigateway:POST", routes, undefined), "Denied", "a route created with no type");
        assert.strictEqual(decideRoute("apigateway:PATCH", `${routes}/route1`, undefined), "Allowed", "an update of the target or operation name");
        assert.strictEqual(decideRoute("apigateway:POST", `${API}/integrations`, undefined), "Allowed", "the denials are scoped to routes");
    });

    it("keeps the stage's access logs in the stage's own log groups", () => {
        const doc = deploy();
        const stage = `${API}/stages/$default`;
        const logTo = (action: string, destination?: string) =>
            apiGatewayDecision([doc], action, stage, { ...IN_REGION, ...(destination === undefined ? {} : { "apigateway:Request/AccessLoggingDestination": destination }) });
        for (const action of ["apigateway:POST", "apigateway:PATCH"]) {
            assert.strictEqual(logTo(action, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/federated-access/deve/api-access`), "Allowed", action);
            assert.strictEqual(logTo(action, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/federated-access/prod/api-access`), "Denied", `${action} into another stage's group`);
            assert.strictEqual(logTo(action), "Allowed", `${action} naming no destination`);
        }
    });
});

describe("CI policy builders: Pulumi state in S3", () => {
    const STATE = { bucket: "federated-access-state", project: "federated-access", stage: "deve" };
    const key = (path: string) => `arn:aws:s3:::${STATE.bucket}/.pulumi/${path}`;
    const STACK_FILES = [".json", ".json.gz", ".json.zst"].flatMap((ext) => [`stacks/federated-access/deve${ext}`, `stacks/federated-access/deve${ext}.bak`]);
    const OWN_DIRS = ["history", "backups", "journal"].map((dir) => `${dir}/federated-access/deve/x.json`);
    const LOCK = "locks/organization/federated-access/deve/0123.json";
    const askState = (kind: "preview" | "deploy", action: string, resource: string) => ask(ciStatePolicy(STATE, kind), kind, action, resource, { "s3:prefix": ".pulumi/" });

    for (const kind of ["preview", "deploy"] as const) {
        it(`${kind}: lists the state bucket, reads meta.yaml but never writes it, and touches no other stack's state`, async () => {
            assert.strictEqual(await askState(kind, "s3:ListBucket", `arn:aws:s3:::${STATE.bucket}`), "Allowed");
            assert.notStrictEqual(await askState(kind, "s3:ListBucket", "arn:aws:s3:::another-state"), "Allowed");
            assert.strictEqual(await askState(kind, "s3:GetObject", key("meta.yaml")), "Allowed");
            for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
                assert.notStrictEqual(await askState(kind, action, key("meta.yaml")), "Allowed", `${action} meta.yaml`);
            }
            for (const path of ["stacks/federated-access/prod.json", "stacks/federated-access/deve2.json", "stacks/other/deve.json", "history/federated-access/prod/x.json", "locks/organization/federated-access/prod/0123.json"]) {
                for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                    assert.notStrictEqual(await askState(kind, action, key(path)), "Allowed", `${action} ${path}`);
                }
            }
            assert.notStrictEqual(await askState(kind, "s3:GetObject", `arn:aws:s3:::another-state/.pulumi/${STACK_FILES[0]}`), "Allowed");
        });
    }

    it("preview: reads the stack's state and history only, writes nothing and takes no lock", async () => {
        for (const path of [...STACK_FILES, "history/federated-access/deve/x.json"]) {
            assert.strictEqual(await askState("preview", "s3:GetObject", key(path)), "Allowed", path);
            for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
                assert.notStrictEqual(await askState("preview", action, key(path)), "Allowed", `${action} ${path}`);
            }
        }
        for (const path of ["backups/federated-access/deve/x.json", "journal/federated-access/deve/x.json", LOCK]) {
            for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                assert.notStrictEqual(await askState("preview", action, key(path)), "Allowed", `${action} ${path}`);
            }
        }
    });

    it("deploy: reads and writes the stack's state, history, backups and journal, and its lock", async () => {
        for (const path of [...STACK_FILES, ...OWN_DIRS, LOCK]) {
            for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                assert.strictEqual(await askState("deploy", action, key(path)), "Allowed", `${action} ${path}`);
            }
        }
    });

    it("passes AWS's catalogue as a managed policy, each statement named", async () => {
        for (const kind of ["preview", "deploy"] as const) {
            const doc = ciStatePolicy(STATE, kind);
            assert.deepStrictEqual(await validatePolicy(doc, { name: `ci-${kind}-state`, kind: "managed" }), []);
            assert.deepStrictEqual(doc.Statement.map((s) => s.Sid), ["StateList", "StateMeta", kind === "deploy" ? "StackState" : "StackStateRead"]);
        }
    });
});
