/**
 * Policies checked against AWS's catalogue (analysis/catalog.ts): planted errors, one per check,
 * each beside a policy that is right so the check is shown to tell them apart; then every policy
 * the program synthesizes, per stack, expected to have no finding.
 */
import * as assert from "assert";

import {
    Finding,
    FindingCode,
    formatFinding,
    PolicyKind,
    PolicyRecord,
    policySize,
    SIZE_QUOTAS,
    sizeFindings,
    validatePolicies,
    validatePolicy,
} from "../analysis/catalog";
import { STAGES } from "./harness";
import { isSecretInput, ProgramRun, RecordedResource, runProgram, stackRun } from "./harness";

const ACCOUNT = "111122223333";
const BUCKET = "arn:aws:s3:::example-user-files";
const POOL = `arn:aws:cognito-idp:ap-northeast-1:${ACCOUNT}:userpool/ap-northeast-1_Abc`;
const IDENTITY_POOL = `arn:aws:cognito-identity:ap-northeast-1:${ACCOUNT}:identitypool/ap-northeast-1:0000-1111`;
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const USER_POOL_PROVIDER = "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Abc";

function policy(...statements: object[]): object {
    return { Version: "2012-10-17", Statement: statements };
}

function allow(action: string | string[], resource: string | string[], extra: object = {}): object {
    return { Sid: "Planted", Effect: "Allow", Action: action, Resource: resource, ...extra };
}

function trustStatement(principal: object, action: string, condition?: object): object {
    return { Sid: "Planted", Effect: "Allow", Principal: principal, Action: action, ...(condition ? { Condition: condition } : {}) };
}

async function findings(doc: unknown, kind: PolicyKind = "identity"): Promise<Finding[]> {
    return validatePolicy(doc, { name: "planted-policy", kind });
}

async function codes(doc: unknown, kind: PolicyKind = "identity"): Promise<FindingCode[]> {
    return [...new Set((await findings(doc, kind)).map((f) => f.code))].sort();
}

interface Case {
    readonly title: string;
    readonly kind?: PolicyKind;
    /** The planted error. */
    readonly bad: unknown;
    /** Exactly the codes it must produce. */
    readonly expect: readonly FindingCode[];
    /** The same policy without the error: no finding. */
    readonly good: unknown;
}

const CASES: Record<string, readonly Case[]> = {
    "1 structure": [
        {
            title: "Version other than 2012-10-17 (policy variables would be read literally)",
            bad: { Version: "2008-10-17", Statement: [allow("s3:GetObject", `${BUCKET}/*`)] },
            expect: ["version"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`)),
        },
        {
            title: "Effect neither Allow nor Deny",
            bad: policy({ ...allow("s3:GetObject", `${BUCKET}/*`), Effect: "Permit" }),
            expect: ["effect"],
            good: policy({ ...allow("s3:GetObject", `${BUCKET}/*`), Effect: "Deny" }),
        },
        {
            title: "no Action",
            bad: policy({ Sid: "Planted", Effect: "Allow", Resource: `${BUCKET}/*` }),
            expect: ["action-missing"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`)),
        },
        {
            title: "empty Action",
            bad: policy(allow([], `${BUCKET}/*`)),
            expect: ["action-missing"],
            good: policy(allow(["s3:GetObject"], `${BUCKET}/*`)),
        },
        {
            title: "identity policy without Resource",
            bad: policy({ Sid: "Planted", Effect: "Allow", Action: "s3:GetObject" }),
            expect: ["resource-missing"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`)),
        },
        {
            title: "managed policy with an empty Resource",
            kind: "managed",
            bad: policy(allow("s3:GetObject", [])),
            expect: ["resource-missing"],
            good: policy(allow("s3:GetObject", [`${BUCKET}/*`])),
        },
        {
            title: "trust policy with Resource",
            kind: "trust",
            bad: policy({ ...trustStatement({ Service: "lambda.amazonaws.com" }, "sts:AssumeRole"), Resource: "*" }),
            expect: ["resource-forbidden"],
            good: policy(trustStatement({ Service: "lambda.amazonaws.com" }, "sts:AssumeRole")),
        },
        {
            title: "trust policy without Principal",
            kind: "trust",
            bad: policy({ Sid: "Planted", Effect: "Allow", Action: "sts:AssumeRole" }),
            expect: ["principal-missing"],
            good: policy(trustStatement({ Service: "lambda.amazonaws.com" }, "sts:AssumeRole")),
        },
        {
            title: "bucket policy without Principal",
            kind: "resource",
            bad: policy({ Sid: "Planted", Effect: "Deny", Action: "s3:*", Resource: `${BUCKET}/*`, Condition: { Bool: { "aws:SecureTransport": "false" } } }),
            expect: ["principal-missing"],
            good: policy({ Sid: "Planted", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: `${BUCKET}/*`, Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        },
        {
            title: "identity policy with Principal",
            bad: policy(allow("s3:GetObject", `${BUCKET}/*`, { Principal: { AWS: ACCOUNT } })),
            expect: ["principal-forbidden"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`)),
        },
        {
            title: "Allow with NotAction",
            bad: policy({ Sid: "Planted", Effect: "Allow", NotAction: "s3:DeleteObject", Resource: `${BUCKET}/*` }),
            expect: ["allow-not-action"],
            good: policy({ Sid: "Planted", Effect: "Deny", NotAction: "s3:GetObject", Resource: `${BUCKET}/*` }),
        },
        {
            title: "Allow with NotResource",
            bad: policy({ Sid: "Planted", Effect: "Allow", Action: "s3:GetObject", NotResource: `${BUCKET}/private/*` }),
            expect: ["allow-not-resource"],
            good: policy({ Sid: "Planted", Effect: "Deny", Action: "s3:GetObject", NotResource: `${BUCKET}/public/*` }),
        },
        {
            title: "Allow with NotPrincipal",
            kind: "resource",
            bad: policy({ Sid: "Planted", Effect: "Allow", NotPrincipal: { AWS: ACCOUNT }, Action: "s3:GetObject", Resource: `${BUCKET}/*` }),
            expect: ["allow-not-principal"],
            good: policy({ Sid: "Planted", Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "s3:GetObject", Resource: `${BUCKET}/*` }),
        },
        {
            title: "misspelt statement element (Resources)",
            bad: policy({ Sid: "Planted", Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/*`, Resources: `${BUCKET}/x` }),
            expect: ["unknown-element"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`)),
        },
        {
            title: "the same Sid twice",
            bad: policy(allow("s3:GetObject", `${BUCKET}/*`), allow("s3:PutObject", `${BUCKET}/*`)),
            expect: ["sid-duplicate"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`), { ...allow("s3:PutObject", `${BUCKET}/*`), Sid: "Other" }),
        },
        {
            title: "a Condition operator mapped to a list instead of keys",
            bad: policy(allow("s3:ListBucket", BUCKET, { Condition: { StringLike: ["s3:prefix"] } })),
            expect: ["condition-shape"],
            good: policy(allow("s3:ListBucket", BUCKET, { Condition: { StringLike: { "s3:prefix": "home/*" } } })),
        },
        {
            title: "a document that is not an object",
            bad: "not a policy",
            expect: ["policy-shape"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`)),
        },
    ],
    "2 actions": [
        {
            title: "an action the catalogue does not have",
            bad: policy(allow("s3:GetObjects", `${BUCKET}/*`)),
            expect: ["action-unknown"],
            good: policy(allow("s3:getobject", `${BUCKET}/*`)),
        },
        {
            title: "a wildcard action that matches no action of its service",
            bad: policy(allow("s3:GetBucketz*", BUCKET)),
            expect: ["action-pattern-empty"],
            good: policy(allow("s3:GetBucket*", BUCKET)),
        },
        {
            title: "an unknown service prefix",
            bad: policy(allow("s4:GetObject", `${BUCKET}/*`)),
            expect: ["service-unknown"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`)),
        },
        {
            title: "an action that is not <service>:<action>",
            bad: policy(allow("s3-GetObject", `${BUCKET}/*`)),
            expect: ["action-syntax"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`)),
        },
    ],
    "3 resources": [
        {
            title: '"*" on an action that supports resource types',
            bad: policy(allow("s3:GetObject", "*")),
            expect: ["resource-star-has-types"],
            good: policy(allow("cognito-identity:DeleteIdentities", "*")),
        },
        {
            title: '"*" on a wildcard action none of whose actions is wildcard-only',
            bad: policy(allow("s3:GetObjectVersion*", "*")),
            expect: ["resource-star-has-types"],
            good: policy(allow("s3:GetObjectVersion*", `${BUCKET}/*`)),
        },
        {
            title: "an ARN on a wildcard-only action (SetIdentityPoolRoles on identitypool/*)",
            bad: policy(allow("cognito-identity:SetIdentityPoolRoles", `arn:aws:cognito-identity:ap-northeast-1:${ACCOUNT}:identitypool/*`)),
            expect: ["resource-on-wildcard-only-action"],
            good: policy(allow("cognito-identity:SetIdentityPoolRoles", "*")),
        },
        {
            title: "a bucket action on object ARNs (ListBucket on bucket/*)",
            bad: policy(allow("s3:ListBucket", `${BUCKET}/*`)),
            expect: ["action-matches-no-resource"],
            good: policy(allow("s3:ListBucket", BUCKET)),
        },
        {
            title: "one resource of a statement that fits none of its actions",
            bad: policy(allow(["s3:GetObject", "s3:PutObject"], [`${BUCKET}/*`, `arn:aws:dynamodb:ap-northeast-1:${ACCOUNT}:table/t`])),
            expect: ["resource-matches-no-type"],
            good: policy(allow(["s3:GetObject", "s3:PutObject"], [`${BUCKET}/*`])),
        },
        {
            title: "a policy variable that names no key (never resolves)",
            bad: policy(allow("s3:GetObject", `${BUCKET}/home/\${cognito-identity.amazonaws.com:subject}/*`)),
            expect: ["policy-variable-unknown"],
            good: policy(allow("s3:GetObject", `${BUCKET}/home/\${cognito-identity.amazonaws.com:sub}/*`)),
        },
    ],
    "4 ARNs and principals": [
        {
            title: "an ARN without service (arn:aws:::bucket)",
            bad: policy(allow("s3:GetObject", "arn:aws:::my-bucket/*")),
            expect: ["arn-malformed"],
            good: policy(allow("s3:GetObject", "arn:aws:s3:::my-bucket/*")),
        },
        {
            title: "a resource that is neither * nor an ARN",
            bad: policy(allow("s3:GetObject", "my-bucket/*")),
            expect: ["arn-malformed"],
            good: policy(allow("s3:GetObject", "arn:aws:s3:::my-bucket/*")),
        },
        {
            title: "a region in an S3 bucket ARN",
            bad: policy(allow("s3:ListBucket", "arn:aws:s3:ap-northeast-1::my-bucket")),
            expect: ["arn-shape"],
            good: policy(allow("s3:ListBucket", "arn:aws:s3:::my-bucket")),
        },
        {
            title: "no region in a Cognito user pool ARN",
            bad: policy(allow("cognito-idp:DescribeUserPool", `arn:aws:cognito-idp::${ACCOUNT}:userpool/*`)),
            expect: ["arn-shape"],
            good: policy(allow("cognito-idp:DescribeUserPool", POOL)),
        },
        {
            title: "an unknown partition",
            bad: policy(allow("s3:GetObject", "arn:amazon:s3:::my-bucket/*")),
            expect: ["arn-partition"],
            good: policy(allow("s3:GetObject", "arn:aws-cn:s3:::my-bucket/*")),
        },
        {
            title: "an ARN service no resource type has",
            bad: policy(allow("s3:GetObject", "arn:aws:s4:::my-bucket/*")),
            expect: ["arn-service-unknown"],
            good: policy(allow("s3:GetObject", "arn:aws:s3:::my-bucket/*")),
        },
        {
            title: "a region that is no region name",
            bad: policy(allow("logs:CreateLogStream", `arn:aws:logs:ap-northeast1:${ACCOUNT}:log-group:/app:*`)),
            expect: ["arn-region"],
            good: policy(allow("logs:CreateLogStream", `arn:aws:logs:ap-northeast-1:${ACCOUNT}:log-group:/app:*`)),
        },
        {
            title: "an account that is not 12 digits",
            bad: policy(allow("logs:CreateLogStream", "arn:aws:logs:ap-northeast-1:1111:log-group:/app:*")),
            expect: ["arn-account"],
            good: policy(allow("logs:CreateLogStream", `arn:aws:logs:ap-northeast-1:${ACCOUNT}:log-group:/app:*`)),
        },
        {
            title: "an AWS principal with a short account",
            kind: "trust",
            bad: policy(trustStatement({ AWS: "arn:aws:iam::2109876:role/LambdaRoleDeve" }, "sts:AssumeRole")),
            expect: ["principal-malformed"],
            good: policy(trustStatement({ AWS: "arn:aws:iam::210987654321:role/LambdaRoleDeve" }, "sts:AssumeRole")),
        },
        {
            title: "an AWS principal ARN with a wildcard",
            kind: "trust",
            bad: policy(trustStatement({ AWS: "arn:aws:iam::210987654321:role/*" }, "sts:AssumeRole")),
            expect: ["principal-malformed"],
            good: policy(trustStatement({ AWS: "210987654321" }, "sts:AssumeRole")),
        },
        {
            title: "a Federated principal that is not a provider ARN or federation host",
            kind: "trust",
            bad: policy(trustStatement({ Federated: `arn:aws:iam::${ACCOUNT}:oidc/token.actions.githubusercontent.com` }, "sts:AssumeRoleWithWebIdentity")),
            expect: ["principal-malformed"],
            good: policy(trustStatement({ Federated: GITHUB }, "sts:AssumeRoleWithWebIdentity")),
        },
        {
            title: "a Service principal without its domain",
            kind: "trust",
            bad: policy(trustStatement({ Service: "lambda" }, "sts:AssumeRole")),
            expect: ["principal-malformed"],
            good: policy(trustStatement({ Service: "lambda.amazonaws.com" }, "sts:AssumeRole")),
        },
    ],
    "5 conditions": [
        {
            title: "a condition key the action does not have (s3:ExistingObjectTag/<key> on DeleteObject)",
            bad: policy(allow("s3:DeleteObject", `${BUCKET}/*`, { Condition: { StringEquals: { "s3:ExistingObjectTag/x": "y" } } })),
            expect: ["condition-key-unsupported"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`, { Condition: { StringEquals: { "s3:ExistingObjectTag/x": "y" } } })),
        },
        {
            title: "a key one action of the statement lacks, without IfExists",
            bad: policy(allow(["s3:GetObject", "s3:DeleteObject"], `${BUCKET}/*`, { Condition: { StringEquals: { "s3:ExistingObjectTag/x": "y" } } })),
            expect: ["condition-key-unsupported"],
            good: policy(allow(["s3:GetObject", "s3:DeleteObject"], `${BUCKET}/*`, { Condition: { StringEqualsIfExists: { "s3:ExistingObjectTag/x": "y" } } })),
        },
        {
            title: "a condition key that exists nowhere",
            bad: policy(allow("s3:ListBucket", BUCKET, { Condition: { StringLike: { "s3:prefixes": "home/*" } } })),
            expect: ["condition-key-unknown"],
            good: policy(allow("s3:ListBucket", BUCKET, { Condition: { StringLike: { "s3:prefix": "home/*" } } })),
        },
        {
            title: "an operator IAM does not have",
            bad: policy(allow("s3:ListBucket", BUCKET, { Condition: { StringEqual: { "s3:prefix": "home/" } } })),
            expect: ["condition-operator"],
            good: policy(allow("s3:ListBucket", BUCKET, { Condition: { "ForAnyValue:StringEqualsIfExists": { "s3:prefix": "home/" } } })),
        },
        {
            title: "Null with IfExists",
            bad: policy(allow("s3:ListBucket", BUCKET, { Condition: { NullIfExists: { "s3:prefix": "false" } } })),
            expect: ["condition-operator"],
            good: policy(allow("s3:ListBucket", BUCKET, { Condition: { Null: { "s3:prefix": "false" } } })),
        },
        {
            title: "Bool on a String key",
            bad: policy(allow("s3:GetObject", `${BUCKET}/*`, { Condition: { Bool: { "aws:username": "true" } } })),
            expect: ["condition-operator-type"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })),
        },
        {
            title: "IpAddress on an ARN key",
            kind: "resource",
            bad: policy({ Sid: "Planted", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: `${BUCKET}/*`, Condition: { NotIpAddress: { "aws:PrincipalArn": "10.0.0.0/8" } } }),
            expect: ["condition-operator-type"],
            good: policy({ Sid: "Planted", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: `${BUCKET}/*`, Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }),
        },
        {
            title: "a Numeric comparison with a value that is no number",
            bad: policy(allow("s3:GetObject", `${BUCKET}/*`, { Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "one hour" } } })),
            expect: ["condition-value"],
            good: policy(allow("s3:GetObject", `${BUCKET}/*`, { Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } } })),
        },
        {
            title: "a claim of another provider than the one trusted",
            kind: "trust",
            bad: policy(trustStatement({ Federated: GITHUB }, "sts:AssumeRoleWithWebIdentity", { StringEquals: { "cognito-identity.amazonaws.com:aud": "sts.amazonaws.com" } })),
            expect: ["condition-key-provider"],
            good: policy(trustStatement({ Federated: GITHUB }, "sts:AssumeRoleWithWebIdentity", { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } })),
        },
        {
            title: "a GitHub claim the catalogue does not list and IAM does not document for OIDC",
            kind: "trust",
            bad: policy(trustStatement({ Federated: GITHUB }, "sts:AssumeRoleWithWebIdentity", { StringEquals: { "token.actions.githubusercontent.com:run_id": "1" } })),
            expect: ["condition-key-unknown"],
            good: policy(trustStatement({ Federated: GITHUB }, "sts:AssumeRoleWithWebIdentity", { StringEquals: { "token.actions.githubusercontent.com:environment": "prod" } })),
        },
        {
            title: "a claim beyond aud/sub of a generic OIDC provider (a user pool)",
            kind: "trust",
            bad: policy(
                trustStatement({ Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${USER_POOL_PROVIDER}` }, "sts:AssumeRoleWithWebIdentity", {
                    StringEquals: { [`${USER_POOL_PROVIDER}:amr`]: "authenticated" },
                }),
            ),
            expect: ["condition-key-unknown"],
            good: policy(
                trustStatement({ Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${USER_POOL_PROVIDER}` }, "sts:AssumeRoleWithWebIdentity", {
                    StringEquals: { [`${USER_POOL_PROVIDER}:aud`]: "client" },
                }),
            ),
        },
    ],
};

describe("catalog: planted errors, one per check", () => {
    for (const [group, cases] of Object.entries(CASES)) {
        describe(group, () => {
            for (const c of cases) {
                it(c.title, async () => {
                    assert.deepStrictEqual(await codes(c.bad, c.kind), [...c.expect].sort(), "the planted error is reported, and nothing else");
                    assert.deepStrictEqual(await findings(c.good, c.kind), [], "the same policy without the error has no finding");
                });
            }
        });
    }

    it("names the policy and the statement (Sid, else #index) in every finding", async () => {
        const doc = policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Sid: "Second", Effect: "Allow", Action: "s3:ListBucket", Resource: `${BUCKET}/*` });
        const found = await validatePolicy(doc, { name: "my-policy", kind: "identity" });
        assert.deepStrictEqual(
            found.map((f) => [f.policy, f.statement, f.code]),
            [
                ["my-policy", "#0", "resource-star-has-types"],
                ["my-policy", "Second", "action-matches-no-resource"],
            ],
        );
        assert.match(formatFinding(found[1]), /^my-policy Second: s3:ListBucket applies to none of the statement's resources/);
    });

    it("says which resource types an ARN on the wrong action would need", async () => {
        const [finding] = await findings(policy(allow("s3:ListBucket", `${BUCKET}/*`)));
        assert.match(finding.message, /bucket arn:\$\{Partition\}:s3:::\$\{BucketName\}/);
    });
});

describe("catalog: policies that are right pass", () => {
    const GOOD: Record<string, { kind: PolicyKind; doc: object }> = {
        "aws:ResourceTag/stage on a tag-scoped read": {
            kind: "identity",
            doc: policy(
                allow(["cognito-idp:DescribeUserPool", "cognito-idp:ListTagsForResource"], `arn:aws:cognito-idp:ap-northeast-1:${ACCOUNT}:userpool/*`, {
                    Condition: { StringEquals: { "aws:ResourceTag/stage": "deve", "aws:ResourceTag/project": "federated-access" } },
                }),
            ),
        },
        "${cognito-identity.amazonaws.com:sub} in an S3 object ARN and in s3:prefix": {
            kind: "identity",
            doc: policy(
                allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], `${BUCKET}/cognito-test/\${cognito-identity.amazonaws.com:sub}/*`),
                {
                    Sid: "ListOwnFolderOnly",
                    Effect: "Allow",
                    Action: "s3:ListBucket",
                    Resource: BUCKET,
                    Condition: { StringLike: { "s3:prefix": ["cognito-test/${cognito-identity.amazonaws.com:sub}/", "cognito-test/${cognito-identity.amazonaws.com:sub}/*"] } },
                },
            ),
        },
        "${aws:username} in an IAM user ARN": {
            kind: "managed",
            doc: policy(allow("iam:GetUser", `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`)),
        },
        "identity pool trust: aud and ForAnyValue amr": {
            kind: "trust",
            doc: policy(
                trustStatement({ Federated: "cognito-identity.amazonaws.com" }, "sts:AssumeRoleWithWebIdentity", {
                    StringEquals: { "cognito-identity.amazonaws.com:aud": "ap-northeast-1:0000-1111" },
                    "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
                }),
            ),
        },
        "GitHub OIDC trust: aud and sub (generic OIDC claims), environment (catalogue)": {
            kind: "trust",
            doc: policy(
                trustStatement({ Federated: GITHUB }, "sts:AssumeRoleWithWebIdentity", {
                    StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:environment": "prod" },
                    StringLike: { "token.actions.githubusercontent.com:sub": "repo:example-org/federated-access:pull_request*" },
                }),
            ),
        },
        "user pool OIDC trust: <issuer host/path>:aud": {
            kind: "trust",
            doc: policy(
                trustStatement({ Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${USER_POOL_PROVIDER}` }, "sts:AssumeRoleWithWebIdentity", {
                    StringEquals: { [`${USER_POOL_PROVIDER}:aud`]: "client" },
                }),
            ),
        },
        "cross-account trust with sts:ExternalId": {
            kind: "trust",
            doc: policy(trustStatement({ AWS: "arn:aws:iam::210987654321:role/LambdaRoleDeve" }, "sts:AssumeRole", { StringEquals: { "sts:ExternalId": "x-123" } })),
        },
        "TLS-only bucket policy: Deny s3:* with Principal *": {
            kind: "resource",
            doc: policy({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        },
        'a Deny on "*" (it only widens what is refused)': {
            kind: "boundary",
            doc: policy({ Sid: "NoDeletes", Effect: "Deny", Action: ["s3:DeleteObject", "s3:DeleteBucket"], Resource: "*" }),
        },
        'a wildcard-only action on "*" with its own condition key': {
            kind: "identity",
            doc: policy(allow("cognito-identity:DeleteIdentities", "*", { Condition: { StringEquals: { "cognito-identity:IdentityPoolArn": IDENTITY_POOL } } })),
        },
        "iam:PassRole limited by iam:PassedToService; CreateRole by iam:PermissionsBoundary": {
            kind: "identity",
            doc: policy(
                allow("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/app/*`, { Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } }),
                {
                    ...allow(["iam:CreateRole", "iam:PutRolePolicy"], `arn:aws:iam::${ACCOUNT}:role/app/*`, {
                        Condition: { StringEquals: { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/boundary` } },
                    }),
                    Sid: "Bounded",
                },
            ),
        },
        "a condition key of the action's resource type (s3:BucketTag/<key> on objects)": {
            kind: "identity",
            doc: policy(allow("s3:GetObject", `${BUCKET}/*`, { Condition: { StringEquals: { "s3:BucketTag/stage": "deve" } } })),
        },
        "log streams of one log group (a log group name holds slashes)": {
            kind: "identity",
            doc: policy(allow(["logs:CreateLogStream", "logs:PutLogEvents"], `arn:aws:logs:ap-northeast-1:${ACCOUNT}:log-group:/app/deve/fn:*`)),
        },
        "execute-api:Invoke on one route of every stage": {
            kind: "identity",
            doc: policy(allow("execute-api:Invoke", `arn:aws:execute-api:ap-northeast-1:${ACCOUNT}:abc123/*/GET/read-file`)),
        },
        "HTTP API management (apigateway V2 resource types)": {
            kind: "identity",
            doc: policy(allow(["apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"], ["arn:aws:apigateway:ap-northeast-1::/apis/abc123", "arn:aws:apigateway:ap-northeast-1::/apis/abc123/*"])),
        },
        'a service wildcard on "*" that includes wildcard-only actions': {
            kind: "identity",
            doc: policy(allow("cognito-idp:List*", "*")),
        },
        "an AWS managed policy ARN (account aws)": {
            kind: "identity",
            doc: policy(allow("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess")),
        },
    };
    for (const [title, { kind, doc }] of Object.entries(GOOD)) {
        it(title, async () => {
            assert.deepStrictEqual((await findings(doc, kind)).map(formatFinding), []);
        });
    }
});

describe("catalog: size quotas", () => {
    /** A policy of exactly `size` characters, grown through its Sid. */
    function policyOfSize(size: number, kind: PolicyKind): object {
        const statement =
            kind === "trust"
                ? trustStatement({ Service: "lambda.amazonaws.com" }, "sts:AssumeRole")
                : kind === "resource"
                  ? { Sid: "Planted", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: `${BUCKET}/*` }
                  : allow("s3:GetObject", `${BUCKET}/*`);
        const base = policySize(policy({ ...statement, Sid: "" }));
        assert.ok(size >= base, `cannot build a ${kind} policy of ${size} characters`);
        const doc = policy({ ...statement, Sid: "S".repeat(size - base) });
        assert.strictEqual(policySize(doc), size);
        return doc;
    }

    it("counts characters without the whitespace outside strings", () => {
        const doc = { Version: "2012-10-17", Statement: [{ Sid: "A B", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
        const pretty = JSON.stringify(doc, null, 4);
        assert.ok(pretty.length > JSON.stringify(doc).length);
        assert.strictEqual(policySize(pretty), JSON.stringify(doc).length);
        assert.strictEqual(policySize(doc), JSON.stringify(doc).length);
        assert.strictEqual(policySize('{ "a" : "b c" ,\n\t"d":"\\" x"}'), '{"a":"b c","d":"\\" x"}'.length, "whitespace and escaped quotes inside strings count");
    });

    const single: [PolicyKind, FindingCode, number][] = [
        ["trust", "size-trust", SIZE_QUOTAS.trustPolicy],
        ["managed", "size-managed", SIZE_QUOTAS.managedPolicy],
        ["boundary", "size-managed", SIZE_QUOTAS.managedPolicy],
        ["resource", "size-bucket-policy", SIZE_QUOTAS.bucketPolicy],
    ];
    for (const [kind, code, quota] of single) {
        it(`a ${kind} policy of ${quota} characters passes, ${quota + 1} is reported`, () => {
            assert.deepStrictEqual(sizeFindings([{ name: "p", kind, document: policyOfSize(quota, kind) }]), []);
            const over = sizeFindings([{ name: "p", kind, document: policyOfSize(quota + 1, kind) }]);
            assert.deepStrictEqual(
                over.map((f) => [f.policy, f.code]),
                [["p", code]],
            );
            assert.match(over[0].message, new RegExp(`${quota + 1} characters, over the ${quota}-character quota`));
        });
    }

    it(`a role's inline policies count together: ${SIZE_QUOTAS.roleInlinePolicies} passes, one more is reported`, () => {
        const quota = SIZE_QUOTAS.roleInlinePolicies;
        const inline = (name: string, size: number, holder: string): PolicyRecord => ({ name, kind: "identity", holder, document: policyOfSize(size, "identity") });
        assert.deepStrictEqual(sizeFindings([inline("a", 6000, "role-1"), inline("b", quota - 6000, "role-1")]), []);
        const over = sizeFindings([inline("a", 6000, "role-1"), inline("b", quota - 6000 + 1, "role-1")]);
        assert.deepStrictEqual(
            over.map((f) => [f.policy, f.code]),
            [["role-1", "size-role-inline"]],
        );
        assert.match(over[0].message, /a 6000 \+ b 4241/);
        assert.deepStrictEqual(sizeFindings([inline("a", 6000, "role-1"), inline("b", quota - 6000 + 1, "role-2")]), [], "different roles do not add up");
    });

    it("validatePolicies reports sizes along with the catalogue checks", async () => {
        const big = { name: "big", kind: "trust" as const, document: JSON.stringify(policyOfSize(SIZE_QUOTAS.trustPolicy + 1, "trust")) };
        assert.deepStrictEqual(
            (await validatePolicies([big])).map((f) => f.code),
            ["size-trust"],
        );
    });
});

// ---------------------------------------------------------------------------------------------
// Every policy the program synthesizes

/**
 * Where policy documents sit in the resources the program registers. Found by resource type, so
 * a new role, inline policy, bucket policy or managed policy is covered without naming it here;
 * a policy document in any other place fails the coverage test below until it is added.
 */
const POLICY_SOURCES: readonly { type: string; field: string }[] = [
    { type: "aws:iam/rolePolicy:RolePolicy", field: "policy" },
    { type: "aws:iam/role:Role", field: "assumeRolePolicy" },
    { type: "aws:iam/role:Role", field: "inlinePolicies" },
    { type: "aws:iam/policy:Policy", field: "policy" },
    { type: "aws:s3/bucketPolicy:BucketPolicy", field: "policy" },
    { type: "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", field: "policyDocument" },
];

function unwrap(input: unknown): unknown {
    return isSecretInput(input) ? (input as { value: unknown }).value : input;
}

function asDocument(input: unknown): unknown {
    const raw = unwrap(input);
    if (typeof raw === "string") {
        try {
            return JSON.parse(raw);
        } catch {
            return undefined;
        }
    }
    return raw;
}

function isPolicyDocument(value: unknown): boolean {
    const doc = asDocument(value);
    return typeof doc === "object" && doc !== null && "Statement" in doc;
}

/** Every policy of one run, named by the Pulumi resource that holds it. */
function policiesOf(run: ProgramRun): PolicyRecord[] {
    const roles = run.ofType("aws:iam/role:Role");
    const roleLabel = (ref: unknown) => {
        const role = roles.find((r) => ref !== undefined && [r.state.name, r.id, r.state.arn].includes(unwrap(ref)));
        return role ? role.name : String(unwrap(ref));
    };
    const boundaries = new Set(roles.map((r) => unwrap(r.inputs.permissionsBoundary)).filter((arn) => arn !== undefined && arn !== ""));
    const records: PolicyRecord[] = [];
    for (const r of run.ofType("aws:iam/rolePolicy:RolePolicy")) {
        records.push({ name: r.name, kind: "identity", holder: roleLabel(r.inputs.role), document: asDocument(r.inputs.policy) });
    }
    for (const r of roles) {
        records.push({ name: r.name, kind: "trust", document: asDocument(r.inputs.assumeRolePolicy) });
        for (const inline of (unwrap(r.inputs.inlinePolicies) as { name?: string; policy?: unknown }[] | undefined) ?? []) {
            if (inline.policy !== undefined && inline.policy !== "") {
                records.push({ name: `${r.name}/${inline.name}`, kind: "identity", holder: r.name, document: asDocument(inline.policy) });
            }
        }
    }
    for (const r of run.ofType("aws:iam/policy:Policy")) {
        const kind = boundaries.has(r.state.arn) || boundaries.has(r.id) ? "boundary" : "managed";
        records.push({ name: r.name, kind, document: asDocument(r.inputs.policy) });
    }
    for (const r of run.ofType("aws:s3/bucketPolicy:BucketPolicy")) {
        records.push({ name: r.name, kind: "resource", document: asDocument(r.inputs.policy) });
    }
    for (const r of run.ofType("aws:cloudwatch/logResourcePolicy:LogResourcePolicy")) {
        records.push({ name: r.name, kind: "resource", document: asDocument(r.inputs.policyDocument) });
    }
    return records;
}

function unclassifiedPolicies(resources: readonly RecordedResource[]): string[] {
    const known = new Set(POLICY_SOURCES.map((s) => `${s.type} ${s.field}`));
    return resources.flatMap((r) =>
        Object.entries(r.inputs)
            .filter(([field, value]) => isPolicyDocument(value) && !known.has(`${r.type} ${field}`))
            .map(([field]) => `${r.type} ${r.name}.${field}`),
    );
}

describe("catalog: every policy the program synthesizes", () => {
    it("the coverage check notices a policy document in a place the enumeration does not look", () => {
        const resource = (type: string, inputs: Record<string, any>) => ({ type, name: "r", inputs }) as unknown as RecordedResource;
        const doc = JSON.stringify(policy(allow("sqs:SendMessage", "*")));
        assert.deepStrictEqual(unclassifiedPolicies([resource("aws:sqs/queuePolicy:QueuePolicy", { policy: doc }), resource("aws:iam/rolePolicy:RolePolicy", { policy: doc })]), [
            "aws:sqs/queuePolicy:QueuePolicy r.policy",
        ]);
    });

    // The stack files as they are, and stag with its state in an S3 bucket of the longest name
    // S3 allows (63 characters): its preview and deploy roles then carry state policies too
    // (a production stage has no preview role).
    const LONGEST_BUCKET = `state-${"b".repeat(57)}`;
    const cases: [string, string | undefined][] = [...STAGES.map((s): [string, undefined] => [s, undefined]), ["stag", LONGEST_BUCKET]];
    for (const [stack, stateBucket] of cases) {
        describe(`stack ${stack}${stateBucket ? ", state in S3" : ""}`, () => {
            let run: ProgramRun;
            before(async () => {
                run = stateBucket ? await runProgram(stack, { overrides: { "federated-access:ciStateBucket": stateBucket } }) : await stackRun(stack);
                if (stateBucket) assert.strictEqual(run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 2, "state policies of the preview and deploy roles");
            });

            it("holds policy documents only where the enumeration looks", () => {
                assert.deepStrictEqual(unclassifiedPolicies(run.resources), []);
            });

            it("has no finding: catalogue checks of every policy, and the size quotas", async () => {
                const records = policiesOf(run);
                const kinds = new Set(records.map((r) => r.kind));
                for (const kind of ["identity", "trust", "resource"] as const) {
                    assert.ok(kinds.has(kind), `the enumeration found ${kind} policies (it found: ${[...kinds].join(", ")})`);
                }
                const found = await validatePolicies(records);
                const lines = found.map((f) => `${stack} ${f.policy} ${f.statement}: ${f.message} [${f.code}]`);
                assert.deepStrictEqual(lines, [], `${lines.length} finding(s):\n${lines.join("\n")}`);
            });
        });
    }
});
