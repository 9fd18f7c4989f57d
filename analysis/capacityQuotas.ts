/**
 * The AWS default quotas the capacity model (analysis/capacity.ts) checks each design against,
 * each with the documentation page it comes from and whether its figure was read there.
 *
 * `verified: true` means the figure was read in a copy of that AWS documentation page (the page
 * itself, or the markdown source AWS publishes beside it); `evidence` says which. `verified:
 * false` means the page could not be read here: `evidence` says where the figure was read instead,
 * and the figure must be checked on the page before anyone relies on it. No figure here is
 * estimated: each one is a number printed by AWS somewhere named in `evidence`.
 */

export type QuotaId =
    | "cognito-identity:GetId"
    | "cognito-identity:GetCredentialsForIdentity"
    | "cognito-identity:GetOpenIdToken"
    | "cognito-idp:UserAuthentication"
    | "cognito-idp:RespondToAuthChallenge"
    | "cognito-idp:UserRead"
    | "cognito-idp:jwks.json"
    | "sts:AssumeRole"
    | "execute-api:Invoke"
    | "lambda:ConcurrentExecutions"
    | "lambda:Invoke"
    | "s3:GET";

export interface Quota {
    readonly id: QuotaId;
    /** The default quota. */
    readonly value: number;
    /** What `value` counts. */
    readonly unit: "requests/s" | "concurrent executions";
    /** Where it applies. */
    readonly scope: string;
    /** The AWS documentation page that states it. */
    readonly source: string;
    /** True when the figure was read on (a copy of) `source`. */
    readonly verified: boolean;
    /** Where the figure was read, and anything the page adds that the model relies on. */
    readonly evidence: string;
    /** Whether AWS raises it on request. */
    readonly adjustable: boolean;
    /**
     * False for a limit that does not bind an account the way the others do (S3's is per
     * partitioned prefix and S3 partitions by itself): reported, never the binding quota.
     */
    readonly binds: boolean;
}

const COGNITO_QUOTAS = "https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html";
const COGNITO_EVIDENCE = "read in a stored copy of the page's markdown source (quotas.md, the text of quotas.html)";

export const QUOTAS: Readonly<Record<QuotaId, Quota>> = {
    "cognito-identity:GetId": {
        id: "cognito-identity:GetId",
        value: 25,
        unit: "requests/s",
        scope: "per account and Region",
        source: COGNITO_QUOTAS,
        verified: true,
        evidence: `${COGNITO_EVIDENCE}: identity pools request rate table, GetId 25, adjustable ("Contact your account team"); the default is the lowest of any Region, some Regions may be higher`,
        adjustable: true,
        binds: true,
    },
    "cognito-identity:GetCredentialsForIdentity": {
        id: "cognito-identity:GetCredentialsForIdentity",
        value: 200,
        unit: "requests/s",
        scope: "per account and Region",
        source: COGNITO_QUOTAS,
        verified: true,
        evidence: `${COGNITO_EVIDENCE}: identity pools request rate table, GetCredentialsForIdentity 200 (enhanced flow), adjustable`,
        adjustable: true,
        binds: true,
    },
    "cognito-identity:GetOpenIdToken": {
        id: "cognito-identity:GetOpenIdToken",
        value: 200,
        unit: "requests/s",
        scope: "per account and Region",
        source: COGNITO_QUOTAS,
        verified: true,
        evidence: `${COGNITO_EVIDENCE}: identity pools request rate table, GetOpenIdToken 200 (classic flow), adjustable. No design here uses it`,
        adjustable: true,
        binds: true,
    },
    "cognito-idp:UserAuthentication": {
        id: "cognito-idp:UserAuthentication",
        value: 120,
        unit: "requests/s",
        scope: "per account and Region, all user pools",
        source: COGNITO_QUOTAS,
        verified: true,
        evidence: `${COGNITO_EVIDENCE}: category UserAuthentication 120, adjustable: InitiateAuth, token refresh with InitiateAuth or the token endpoint, GetTokensFromRefreshToken, AdminInitiateAuth, managed-login sign-in`,
        adjustable: true,
        binds: true,
    },
    "cognito-idp:RespondToAuthChallenge": {
        id: "cognito-idp:RespondToAuthChallenge",
        value: 360,
        unit: "requests/s",
        scope: "per account and Region, all user pools",
        source: COGNITO_QUOTAS,
        verified: true,
        evidence: `${COGNITO_EVIDENCE}: "special request rate handling": RespondToAuthChallenge and AdminRespondToAuthChallenge have a separate quota of three times the UserAuthentication category's (3 x 120); responses beyond it count toward UserAuthentication`,
        adjustable: true,
        binds: true,
    },
    "cognito-idp:UserRead": {
        id: "cognito-idp:UserRead",
        value: 120,
        unit: "requests/s",
        scope: "per account and Region, all user pools",
        source: COGNITO_QUOTAS,
        verified: true,
        evidence: `${COGNITO_EVIDENCE}: category UserRead (AdminGetUser, AdminGetUserAuthFactors, GetUser) 120, adjustable`,
        adjustable: true,
        binds: true,
    },
    "cognito-idp:jwks.json": {
        id: "cognito-idp:jwks.json",
        value: 50_000,
        unit: "requests/s",
        scope: "per account and Region",
        source: COGNITO_QUOTAS,
        verified: true,
        evidence: `${COGNITO_EVIDENCE}: "Requests for JSON web key documents" 50,000, not adjustable`,
        adjustable: false,
        binds: true,
    },
    "sts:AssumeRole": {
        id: "sts:AssumeRole",
        value: 600,
        unit: "requests/s",
        scope: "per account and Region, shared by the STS calls signed with AWS credentials; a cross-account AssumeRole counts against the calling account only",
        source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
        verified: true,
        evidence:
            "read in a stored copy of the page's markdown source (reference_iam-quotas.md), section STS request quotas: 600 requests per second per account per Region for requests made using AWS credentials, shared by AssumeRole, DecodeAuthorizationMessage, GetAccessKeyInfo, GetCallerIdentity, GetFederationToken, GetSessionToken; AssumeRoleWithWebIdentity is not in that list and no quota for it is published there; calls by AWS service principals consume none",
        adjustable: true,
        binds: true,
    },
    "execute-api:Invoke": {
        id: "execute-api:Invoke",
        value: 10_000,
        unit: "requests/s",
        scope: "per account and Region across HTTP, REST and WebSocket APIs, with a burst bucket of 5,000 requests",
        source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
        verified: true,
        evidence:
            "read in a stored copy of the page: throttle quota per account, per Region 10,000 RPS, adjustable; the burst bucket of 5,000 requests is in the page's markdown source; 2,500 RPS (1,250 burst) in the Regions the page lists, of which ap-northeast-1 (this project's) is not one",
        adjustable: true,
        binds: true,
    },
    "lambda:ConcurrentExecutions": {
        id: "lambda:ConcurrentExecutions",
        value: 1000,
        unit: "concurrent executions",
        scope: "per account and Region, all functions",
        source: "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
        verified: true,
        evidence:
            "read in a stored copy of docs.aws.amazon.com/lambda/latest/dg/limits.html (Lambda quotas): concurrent executions 1,000, can be increased up to tens of thousands; new accounts start lower and AWS raises them with usage",
        adjustable: true,
        binds: true,
    },
    "lambda:Invoke": {
        id: "lambda:Invoke",
        value: 10_000,
        unit: "requests/s",
        scope: "per Region: 10 x the concurrent executions quota (synchronous, all sources)",
        source: "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
        verified: false,
        evidence:
            "the current page's table was not readable here; read in AWS's documentation source on GitHub (awsdocs/aws-lambda-developer-guide, limits.md, archived): invocation requests per Region 10 x concurrent executions quota",
        adjustable: true,
        binds: true,
    },
    "s3:GET": {
        id: "s3:GET",
        value: 5500,
        unit: "requests/s",
        scope: "per partitioned prefix, GET and HEAD together; S3 partitions a bucket by itself as load persists (503 SlowDown meanwhile), with no limit on prefixes",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html",
        verified: true,
        evidence:
            "read on docs.aws.amazon.com/AmazonS3/latest/dev/request-rate-perf-considerations.html (the older page this one replaced, stored copy): at least 5,500 GET requests per second per prefix, no limit to the number of prefixes; AWS's knowledge-center article says 'per partitioned Amazon S3 prefix'",
        adjustable: false,
        binds: false,
    },
};

/** Figures of the model that are not quotas, with their sources. */
export const FACTS = {
    credentialLifetime: {
        minutes: 60,
        source: "https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html",
        verified: false,
        evidence:
            "the stored copy of the page was readable only in part; an AWS answer on re:Post (repost.aws, 'how to increase expiration time of cognito identity pool credentials') says GetCredentialsForIdentity takes no duration and its credentials last at most an hour",
    },
    idTokenValidityRange: {
        minMinutes: 5,
        maxMinutes: 1440,
        source: COGNITO_QUOTAS,
        verified: true,
        evidence: `${COGNITO_EVIDENCE}: session validity, ID token 5 minutes - 1 day`,
    },
} as const;
