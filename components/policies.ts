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
