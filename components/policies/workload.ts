/**
 * The IAM policy documents of the stage's own principals and resources, as plain data: users'
 * storage, functions, callers, log and audit delivery, the workload boundary and the smoke checks
 * (the CI roles' documents are in ci.ts). Components feed them resolved values and serialize
 * them once; tests and the policy engine read the very same builders.
 */
import { keyPrefixesOverlap } from "../config/naming";
import { Condition, policy, PolicyDocument, PolicyStatement } from "./document";

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

/**
 * Trust policy of a Lambda execution role. Lambda runs as a role only when a principal of
 * the role's own account passes it (`iam:PassRole` does not cross accounts), so no
 * confused-deputy condition is needed; whether Lambda supplies `aws:SourceAccount` when it
 * assumes an execution role is not verified here, and a condition it does not satisfy would
 * stop every invocation.
 */
export function lambdaTrustPolicy(): PolicyDocument {
    return policy({
        Sid: "LambdaService",
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
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

/**
 * Bucket policy statement letting S3 server access logging write the logs of one source bucket
 * of the account under one key prefix. A bucket with ACLs off (bucket-owner-enforced) accepts
 * log delivery only through its policy (PutBucketLogging, S3 API Reference); the principal and
 * the `aws:SourceAccount` condition follow the provider's example
 * (https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketlogging/), and `aws:SourceArn`
 * pins the one source bucket (S3 User Guide, "Permissions for server access log delivery"; not
 * verified here).
 */
export function serverAccessLogDeliveryStatement(bucketName: string, keyPrefix: string, sourceBucketName: string, accountId: string): PolicyStatement {
    return {
        Sid: "ServerAccessLogDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${bucketName}/${keyPrefix}*`,
        Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": `arn:aws:s3:::${sourceBucketName}` } },
    };
}

/**
 * CloudWatch Logs resource policy letting log delivery (`delivery.logs.amazonaws.com`, through
 * which API Gateway sends HTTP API access logs) write one log group of the account, on behalf of
 * the account's own sources only.
 */
export function logDeliveryPolicy(accountId: string, region: string, logGroupName: string): PolicyDocument {
    return policy({
        Sid: "AWSLogDeliveryWrite",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `arn:aws:logs:${region}:${accountId}:log-group:${logGroupName}:log-stream:*`,
        Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": `arn:aws:logs:${region}:${accountId}:*` } },
    });
}

/** Claims a web identity trust policy pins, as `<provider host>:<claim>` condition keys. */
export interface WebIdentityClaims {
    /** Required audience (`aud`). */
    readonly aud: string;
    /** Exact subjects (`sub`) admitted (StringEquals). */
    readonly sub?: readonly string[];
    /**
     * Subject patterns admitted (StringLike), for claims with a variable part such as a pull
     * request number. Never together with `sub`.
     */
    readonly subLike?: readonly string[];
}

/**
 * Trust policy for `sts:AssumeRoleWithWebIdentity` through one IAM OIDC provider, pinned
 * by audience and, when given, by exact subjects or subject patterns.
 */
export function webIdentityTrustPolicy(providerArn: string, providerHost: string, claims: WebIdentityClaims): PolicyDocument {
    const equals: Record<string, string | string[]> = { [`${providerHost}:aud`]: claims.aud };
    const one = (values: readonly string[]) => (values.length === 1 ? values[0] : [...values]);
    if (claims.sub !== undefined && claims.subLike !== undefined) {
        throw new Error("webIdentityTrustPolicy: give sub or subLike, not both");
    }
    for (const [name, values] of [["sub", claims.sub], ["subLike", claims.subLike]] as const) {
        if (values !== undefined && values.length === 0) {
            throw new Error(`webIdentityTrustPolicy: ${name}, when given, must name at least one subject`);
        }
    }
    if (claims.sub !== undefined) {
        equals[`${providerHost}:sub`] = one(claims.sub);
    }
    const condition: Condition = { StringEquals: equals };
    if (claims.subLike !== undefined) {
        condition.StringLike = { [`${providerHost}:sub`]: one(claims.subLike) };
    }
    return policy({
        Sid: "WebIdentityOfThisProvider",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
    });
}

/** What a stage's workload roles may ever be allowed; see `workloadBoundaryPolicy`. */
export interface BoundaryScope {
    readonly accountId: string;
    readonly region: string;
    /** Start of the user files bucket's name, e.g. `federated-access-deve-user-files-`. */
    readonly userFilesBucketPrefix: string;
    /** Folder holding one `<identityId>/` per identity, e.g. `cognito-test`. */
    readonly userFilesPrefix: string;
    /** `arn:aws:execute-api:<region>:<account>:<apiId>` of the stage's API. */
    readonly apiExecutionArn: string;
    /** `/<project>/<stage>/`: start of every log group name of the stage. */
    readonly logGroupPrefix: string;
    /** ARN of the stage's user pool, whose smoke users the smoke-users broker manages. */
    readonly userPoolArn: string;
}

/**
 * What the smoke-users broker does in its stage's user pool: create, sign in and delete its
 * users, and list them (the broker passes on only names of the smoke form). IAM cannot narrow
 * these by username or group, so the broker's code does, and only the broker holds them.
 */
export const SMOKE_USERS_ACTIONS = [
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminRespondToAuthChallenge",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:ListUsers",
] as const;

/**
 * The permissions boundary every workload role of a stage carries, and that every role the
 * stage's deploy role creates or changes must carry: whatever a role's own policies say, it
 * reaches at most its identity's own folder (the `${cognito-identity.amazonaws.com:sub}`
 * variable exists only in identity-pool sessions, so any other role reaches no user object),
 * the stage's API, the stage's log groups, and the smoke-users broker's actions in the stage's
 * user pool (no password reset, attribute change or identity deletion, for any role).
 */
export function workloadBoundaryPolicy(scope: BoundaryScope): PolicyDocument {
    const folder = `${scope.userFilesPrefix}/${IDENTITY_ID_VARIABLE}`;
    const buckets = `arn:aws:s3:::${scope.userFilesBucketPrefix}*`;
    return policy(
        {
            Sid: "OwnIdentityFolderObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: `${buckets}/${folder}/*`,
        },
        {
            Sid: "ListOwnIdentityFolder",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: buckets,
            Condition: { StringLike: { "s3:prefix": [`${folder}/`, `${folder}/*`] } },
        },
        { Sid: "InvokeStageApi", Effect: "Allow", Action: "execute-api:Invoke", Resource: `${scope.apiExecutionArn}/*` },
        {
            Sid: "WriteStageLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${scope.logGroupPrefix}*`,
        },
        { Sid: "SmokeUsersOfStagePool", Effect: "Allow", Action: [...SMOKE_USERS_ACTIONS], Resource: scope.userPoolArn },
    );
}

/** Rights of the smoke-users broker's execution role, besides writing its own logs. */
export function smokeUsersBrokerPolicy(userPoolArn: string): PolicyDocument {
    return policy({ Sid: "SmokeUsersOfStagePool", Effect: "Allow", Action: [...SMOKE_USERS_ACTIONS], Resource: userPoolArn });
}

/** What the post-deploy smoke checks of one stage touch. */
export interface SmokeScope {
    /** ARN of the stage's smoke-users broker function, the smoke checks' only way into the user pool. */
    readonly smokeUsersFunctionArn: string;
    readonly userFilesBucket: string;
    /** Key prefix of the run records, e.g. `smoke_runs/`. */
    readonly recordsPrefix: string;
    /** Folder of the bucket holding the user folders (`<prefix>/<identityId>/`), which the records must not overlap. */
    readonly userFilesPrefix: string;
    /**
     * The caller role this stage trusts (`ApiAllowByIamRole<Stage>`'s one principal): the smoke
     * checks may assume it to prove cross-account access, if the caller's account lets them.
     */
    readonly callerRoleArn: string;
}

/**
 * Rights of the smoke checks: invoke the stage's smoke-users broker, and keep run records under
 * one key prefix. No right in the user pool itself (the broker creates, signs in and deletes only
 * `smoke+<runId>-…` users), none on identities (deleting one strands its user's folder), and
 * none in any user's folder: test users' files are written, read and deleted with those users'
 * own identity-pool credentials.
 */
export function smokeChecksPolicy(scope: SmokeScope): PolicyDocument {
    if (!scope.recordsPrefix.endsWith("/") || keyPrefixesOverlap(scope.recordsPrefix, `${scope.userFilesPrefix}/`)) {
        throw new Error(`smokeChecksPolicy: the run records' prefix '${scope.recordsPrefix}' must end in '/' and lie outside the user folders under '${scope.userFilesPrefix}/'`);
    }
    return policy(
        {
            Sid: "SmokeUsersBroker",
            Effect: "Allow",
            Action: "lambda:InvokeFunction",
            Resource: scope.smokeUsersFunctionArn,
        },
        {
            Sid: "ListRunRecords",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: `arn:aws:s3:::${scope.userFilesBucket}`,
            Condition: { StringLike: { "s3:prefix": `${scope.recordsPrefix}*` } },
        },
        {
            Sid: "RunRecords",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: `arn:aws:s3:::${scope.userFilesBucket}/${scope.recordsPrefix}*`,
        },
        {
            // The caller's account decides whether its role trusts this one; without that, nothing.
            Sid: "BecomeTheStageCaller",
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: scope.callerRoleArn,
        },
    );
}
