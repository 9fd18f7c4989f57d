/**
 * IAM policy documents as plain data. Components feed them resolved values and serialize
 * them once; tests and the policy engine read the very same builders.
 */

export type Condition = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: "*" | Record<string, string | string[]>;
    readonly Action: string | string[];
    readonly Resource?: string | string[];
    readonly Condition?: Condition;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: PolicyStatement[];
}

export function policy(...statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * The identity id of the caller, substituted by IAM at request time. It is the identity
 * pool's `region:guid` id, not the user pool `sub`. Written escaped so that no template
 * literal ever interpolates it.
 */
export const IDENTITY_ID_VARIABLE = "${cognito-identity.amazonaws.com:sub}";

/** Trust policy of a role handed out by an identity pool to its authenticated identities only. */
export function identityPoolTrustPolicy(identityPoolId: string): PolicyDocument {
    return policy({
        Sid: "AuthenticatedIdentitiesOfThisPool",
        Effect: "Allow",
        Principal: { Federated: "cognito-identity.amazonaws.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: { "cognito-identity.amazonaws.com:aud": identityPoolId },
            "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
        },
    });
}

/**
 * Rights of an identity-pool identity on its own folder `<prefix>/<identityId>/` and
 * nothing else of the bucket. Listing is allowed only with an `s3:prefix` inside that
 * folder, so the bucket root and other identities' folders cannot be enumerated.
 */
export function perIdentityStoragePolicy(bucketName: string, prefix: string): PolicyDocument {
    const folder = `${prefix}/${IDENTITY_ID_VARIABLE}`;
    return policy(
        {
            Sid: "OwnFolderObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: `arn:aws:s3:::${bucketName}/${folder}/*`,
        },
        {
            Sid: "ListOwnFolderOnly",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: `arn:aws:s3:::${bucketName}`,
            Condition: { StringLike: { "s3:prefix": [`${folder}/`, `${folder}/*`] } },
        },
    );
}

/** Bucket policy refusing every request that does not arrive over TLS. */
export function tlsOnlyBucketPolicy(bucketName: string): PolicyDocument {
    return policy({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
}

/** Trust policy of a Lambda execution role, pinned to functions of this account. */
export function lambdaTrustPolicy(accountId: string): PolicyDocument {
    return policy({
        Sid: "LambdaOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    });
}

/** Lets a function write to its own log group and nowhere else. */
export function logWritingPolicy(logGroupArn: string): PolicyDocument {
    return policy({
        Sid: "OwnLogGroupOnly",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:*`,
    });
}

/** Lets a principal call the given execute-api ARNs (whole APIs or single routes). */
export function invokePolicy(executeApiArns: string[]): PolicyDocument {
    return policy({ Sid: "InvokeApi", Effect: "Allow", Action: "execute-api:Invoke", Resource: executeApiArns });
}

/**
 * Trust policy of a role assumed by exactly one role of another account, optionally also
 * requiring an external id.
 */
export function crossAccountTrustPolicy(callerRoleArn: string, externalId?: string): PolicyDocument {
    return policy({
        Sid: "CallerRoleOnly",
        Effect: "Allow",
        Principal: { AWS: callerRoleArn },
        Action: "sts:AssumeRole",
        ...(externalId ? { Condition: { StringEquals: { "sts:ExternalId": externalId } } } : {}),
    });
}

/** Bucket policy statements letting one CloudTrail trail deliver its log files. */
export function cloudTrailDeliveryStatements(bucketName: string, accountId: string, trailArn: string): PolicyStatement[] {
    return [
        {
            Sid: "CloudTrailAclCheck",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: `arn:aws:s3:::${bucketName}`,
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
            Sid: "CloudTrailWrite",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `arn:aws:s3:::${bucketName}/AWSLogs/${accountId}/*`,
            Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
    ];
}

/** Claims a web identity trust policy pins, as `<provider host>:<claim>` condition keys. */
export interface WebIdentityClaims {
    /** Required audience (`aud`). */
    readonly aud: string;
    /** Exact subjects (`sub`) admitted; none means any subject of that audience. */
    readonly sub?: readonly string[];
}

/**
 * Trust policy for `sts:AssumeRoleWithWebIdentity` through one IAM OIDC provider, pinned
 * by audience and, when given, by exact subjects (StringEquals: no wildcards).
 */
export function webIdentityTrustPolicy(providerArn: string, providerHost: string, claims: WebIdentityClaims): PolicyDocument {
    const equals: Record<string, string | string[]> = { [`${providerHost}:aud`]: claims.aud };
    if (claims.sub !== undefined) {
        if (claims.sub.length === 0) {
            throw new Error("webIdentityTrustPolicy: sub, when given, must name at least one subject");
        }
        equals[`${providerHost}:sub`] = claims.sub.length === 1 ? claims.sub[0] : [...claims.sub];
    }
    return policy({
        Sid: "WebIdentityOfThisProvider",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: equals },
    });
}

/** Read-only access to one bucket's objects and listing. */
export function bucketReadPolicy(bucketName: string): PolicyDocument {
    return policy(
        { Sid: "ReadObjects", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucketName}/*` },
        { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${bucketName}` },
    );
}

/** What a stage's CI roles may touch: the ARNs its resources can have. */
export interface StageScope {
    readonly accountId: string;
    readonly region: string;
    /** `/<project>/<stage>/` */
    readonly workloadRolePath: string;
    /** Names of roles of the stage that live outside that path (e.g. `ApiAllowByIamRoleDeve`). */
    readonly extraRoleNames: readonly string[];
    /** `<project>-<stage>-` */
    readonly bucketPrefix: string;
    /** `<project>-<stage>-` prefix of trail names. */
    readonly trailPrefix: string;
    /** Bucket holding Pulumi state, when the stack uses an S3 backend. */
    readonly stateBucket?: string;
}

function stageArns(scope: StageScope) {
    const { accountId: a, region: r } = scope;
    return {
        roles: [
            `arn:aws:iam::${a}:role${scope.workloadRolePath}*`,
            ...scope.extraRoleNames.map((name) => `arn:aws:iam::${a}:role/${name}`),
        ],
        userPoolOidcProviders: `arn:aws:iam::${a}:oidc-provider/cognito-idp.${r}.amazonaws.com/*`,
        buckets: `arn:aws:s3:::${scope.bucketPrefix}*`,
        userPools: `arn:aws:cognito-idp:${r}:${a}:userpool/*`,
        identityPools: `arn:aws:cognito-identity:${r}:${a}:identitypool/*`,
        functions: `arn:aws:lambda:${r}:${a}:function:*`,
        logGroups: [`arn:aws:logs:${r}:${a}:log-group:*`, `arn:aws:logs:${r}:${a}:log-group:*:log-stream:*`],
        apis: `arn:aws:apigateway:${r}::/*`,
        trails: `arn:aws:cloudtrail:${r}:${a}:trail/${scope.trailPrefix}*`,
    };
}

/** Pulumi state of an S3 backend: `read` reads it and takes the lock, `write` also updates it. */
function stateStatements(stateBucket: string | undefined, mode: "read" | "write"): PolicyStatement[] {
    if (!stateBucket) {
        return [];
    }
    return [
        { Sid: "StateList", Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${stateBucket}` },
        { Sid: "StateRead", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${stateBucket}/.pulumi/*` },
        {
            Sid: "StateWrite",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:DeleteObject"],
            Resource: mode === "write" ? `arn:aws:s3:::${stateBucket}/.pulumi/*` : `arn:aws:s3:::${stateBucket}/.pulumi/locks/*`,
        },
    ];
}

/**
 * What `pulumi preview` (and `preview --refresh`) of one stage reads: the configuration of
 * the stage's resources, never their data (no object reads, no secrets).
 */
export function ciPreviewPolicy(scope: StageScope): PolicyDocument {
    const arn = stageArns(scope);
    return policy(
        {
            Sid: "ReadIdentityConfiguration",
            Effect: "Allow",
            Action: [
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListRoleTags",
                "iam:GetOpenIDConnectProvider",
            ],
            Resource: [...arn.roles, arn.userPoolOidcProviders],
        },
        {
            Sid: "ReadBucketConfiguration",
            Effect: "Allow",
            Action: [
                "s3:ListBucket",
                "s3:GetBucketPolicy",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetBucketOwnershipControls",
                "s3:GetEncryptionConfiguration",
                "s3:GetBucketVersioning",
                "s3:GetLifecycleConfiguration",
                "s3:GetBucketTagging",
                "s3:GetBucketLocation",
                "s3:GetBucketAcl",
                "s3:GetBucketCORS",
                "s3:GetBucketWebsite",
                "s3:GetBucketLogging",
                "s3:GetBucketObjectLockConfiguration",
                "s3:GetBucketRequestPayment",
                "s3:GetAccelerateConfiguration",
                "s3:GetReplicationConfiguration",
            ],
            Resource: arn.buckets,
        },
        {
            Sid: "ReadServiceConfiguration",
            Effect: "Allow",
            Action: [
                "cognito-idp:DescribeUserPool",
                "cognito-idp:DescribeUserPoolClient",
                "cognito-idp:GetGroup",
                "cognito-idp:GetUserPoolMfaConfig",
                "cognito-idp:ListTagsForResource",
                "cognito-identity:DescribeIdentityPool",
                "cognito-identity:GetIdentityPoolRoles",
                "cognito-identity:ListTagsForResource",
                "lambda:GetFunction",
                "lambda:GetFunctionConfiguration",
                "lambda:GetPolicy",
                "lambda:ListTags",
                "lambda:ListVersionsByFunction",
                "lambda:GetFunctionCodeSigningConfig",
                "logs:ListTagsForResource",
                "logs:ListTagsLogGroup",
                "apigateway:GET",
                "cloudtrail:GetTrail",
                "cloudtrail:GetTrailStatus",
                "cloudtrail:GetEventSelectors",
                "cloudtrail:GetInsightSelectors",
                "cloudtrail:ListTags",
            ],
            Resource: [arn.userPools, arn.identityPools, arn.functions, ...arn.logGroups, arn.apis, arn.trails],
        },
        {
            // Listing calls that IAM cannot scope to a resource.
            Sid: "DescribeUnscoped",
            Effect: "Allow",
            Action: ["logs:DescribeLogGroups", "cloudtrail:DescribeTrails"],
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": scope.region } },
        },
        ...stateStatements(scope.stateBucket, "read"),
    );
}

/**
 * What `pulumi up` of one stage changes: the stage's roles (by path and name), buckets (by
 * name prefix), user pools, identity pools, functions, log groups, APIs and trails of its
 * account and region. It cannot change the CI roles (another path), read user objects or
 * pass roles to anything but Lambda and Cognito Identity.
 */
export function ciDeployPolicy(scope: StageScope): PolicyDocument {
    const arn = stageArns(scope);
    return policy(
        {
            Sid: "ManageStageRoles",
            Effect: "Allow",
            Action: [
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:ListRoleTags",
                "iam:PutRolePolicy",
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
            ],
            Resource: arn.roles,
        },
        {
            Sid: "PassStageRolesToTheirServices",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: arn.roles,
            Condition: { StringEquals: { "iam:PassedToService": ["lambda.amazonaws.com", "cognito-identity.amazonaws.com"] } },
        },
        {
            Sid: "ManageUserPoolOidcProviders",
            Effect: "Allow",
            Action: [
                "iam:CreateOpenIDConnectProvider",
                "iam:DeleteOpenIDConnectProvider",
                "iam:GetOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider",
                "iam:UntagOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
            ],
            Resource: arn.userPoolOidcProviders,
        },
        {
            Sid: "ManageStageBuckets",
            Effect: "Allow",
            Action: [
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:ListBucket",
                "s3:GetBucket*",
                "s3:PutBucket*",
                "s3:DeleteBucketPolicy",
                "s3:GetEncryptionConfiguration",
                "s3:PutEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:GetAccelerateConfiguration",
                "s3:GetReplicationConfiguration",
            ],
            Resource: arn.buckets,
        },
        {
            Sid: "ManageStageServices",
            Effect: "Allow",
            Action: ["cognito-idp:*", "cognito-identity:*", "lambda:*", "logs:*", "apigateway:*", "cloudtrail:*"],
            Resource: [arn.userPools, arn.identityPools, arn.functions, ...arn.logGroups, arn.apis, arn.trails],
        },
        {
            // Creation and account-level calls that IAM cannot scope to a resource.
            Sid: "CreateUnscoped",
            Effect: "Allow",
            Action: [
                "cognito-idp:CreateUserPool",
                "cognito-identity:CreateIdentityPool",
                "logs:DescribeLogGroups",
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
                "cloudtrail:DescribeTrails",
            ],
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": scope.region } },
        },
        ...stateStatements(scope.stateBucket, "write"),
    );
}
