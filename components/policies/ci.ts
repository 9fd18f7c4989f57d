/**
 * Rights of a stage's CI roles, as plain policy documents. The deploy role reaches only what
 * its stage owns: resources named with the stage's prefixes and paths, resources whose ids AWS
 * generates by their `stage`/`project` tags, and the stage's API by its id. Every role it may
 * create or change must carry the stage's permissions boundary, which it cannot change. The
 * CI roles, the boundary, the identity-pool role mapping and the audit trail are managed by an
 * administrator: the deploy role only reads them.
 */
import { PROJECT_TAG, STAGE_TAG } from "../config/naming";
import { Condition, policy, PolicyDocument, PolicyStatement } from "./document";

/** What a stage owns, and how its CI roles can tell. */
export interface StageScope {
    readonly accountId: string;
    readonly region: string;
    readonly project: string;
    readonly stage: string;
    /** `<project>-<stage>`: start of the name of every role, function and trail of the stage. */
    readonly namePrefix: string;
    /** `/<project>/<stage>/`: path of every workload role. */
    readonly workloadRolePath: string;
    /** Workload roles outside that path (e.g. `ApiAllowByIamRoleDeve`, which callers name). */
    readonly extraRoleNames: readonly string[];
    /** `/<project>-ci/<stage>/`: path of the CI roles and the boundary, which CI only reads. */
    readonly ciRolePath: string;
    /** ARN of the managed policy every workload role must carry as its permissions boundary. */
    readonly boundaryArn: string;
    /** `<project>-<stage>-`: start of every bucket name of the stage. */
    readonly bucketPrefix: string;
    /** Start of the names of the audit buckets (the trail's logs and their access logs); CI never changes them. */
    readonly auditBucketPrefix: string;
    /** `/<project>/<stage>/`: start of every log group name of the stage. */
    readonly logGroupPrefix: string;
    /**
     * Id of the stage's user pool: the only user pool whose IAM OIDC provider CI may create or
     * change (a tag condition alone would let CI retag another stage's provider as its own).
     */
    readonly userPoolId: string;
    /** Id of the stage's identity pool: with the user pool's, CI changes existing pools by id, not by tag. */
    readonly identityPoolId: string;
    /** Id of the stage's HTTP API (its routes and integrations carry no tags of their own). */
    readonly apiId: string;
    /** Name of the audit trail, when the stage has one. */
    readonly trailName?: string;
    /** The account's GitHub OIDC provider, which CI reads during a refresh. */
    readonly githubProviderArn: string;
    /** Whether CI may delete the stage's resources (false in prod: data stays). */
    readonly allowDeletes: boolean;
}

/** Resource-tag and request-tag conditions naming the stage. */
function tagged(scope: StageScope, kind: "ResourceTag" | "RequestTag"): Condition {
    return { StringEquals: { [`aws:${kind}/${STAGE_TAG}`]: scope.stage, [`aws:${kind}/${PROJECT_TAG}`]: scope.project } };
}

function arns(scope: StageScope) {
    const { accountId: a, region: r } = scope;
    const role = (pathAndName: string) => `arn:aws:iam::${a}:role${pathAndName}`;
    return {
        workloadRoles: [role(`${scope.workloadRolePath}*`), ...scope.extraRoleNames.map((name) => role(`/${name}`))],
        executionRoles: role(`${scope.workloadRolePath}${scope.namePrefix}-*-fn`),
        ciRoles: role(`${scope.ciRolePath}*`),
        userPoolOidcProvider: `arn:aws:iam::${a}:oidc-provider/cognito-idp.${r}.amazonaws.com/${scope.userPoolId}`,
        buckets: `arn:aws:s3:::${scope.bucketPrefix}*`,
        objects: `arn:aws:s3:::${scope.bucketPrefix}*/*`,
        auditBucket: `arn:aws:s3:::${scope.auditBucketPrefix}*`,
        auditObjects: `arn:aws:s3:::${scope.auditBucketPrefix}*/*`,
        // By id: a tag condition alone would follow a pool another stage's pipeline retagged (UpdateUserPool
        // and UpdateIdentityPool change tags too, and the latter offers no condition key to stop it).
        userPools: `arn:aws:cognito-idp:${r}:${a}:userpool/${scope.userPoolId}`,
        identityPools: `arn:aws:cognito-identity:${r}:${a}:identitypool/${scope.identityPoolId}`,
        functions: `arn:aws:lambda:${r}:${a}:function:${scope.namePrefix}-*`,
        logGroups: `arn:aws:logs:${r}:${a}:log-group:${scope.logGroupPrefix}*`,
        apis: `arn:aws:apigateway:${r}::/apis`,
        api: [`arn:aws:apigateway:${r}::/apis/${scope.apiId}`, `arn:aws:apigateway:${r}::/apis/${scope.apiId}/*`],
        routes: `arn:aws:apigateway:${r}::/apis/${scope.apiId}/routes*`,
        routeCollection: `arn:aws:apigateway:${r}::/apis/${scope.apiId}/routes`,
        stages: `arn:aws:apigateway:${r}::/apis/${scope.apiId}/stages*`,
        // How a stage names its access log destination: the log group's ARN, without a `:*` suffix.
        logGroupsByArn: `arn:aws:logs:${r}:${a}:log-group:${scope.logGroupPrefix}*`,
        // Tagging names the tagged resource's ARN, URL-encoded: the API's own, and its stages' after it.
        // The tag resource of the API and its stages, URL-encoded as AWS documents it and as it is: which form an
        // HTTP API's tag call is authorized on is not documented (analysis/providerActions.ts, API_TAGS_UNENCODED).
        apiTags: [
            `arn:aws:apigateway:${r}::/tags/${encodeURIComponent(`arn:aws:apigateway:${r}::/apis/${scope.apiId}`)}*`,
            `arn:aws:apigateway:${r}::/tags/arn:aws:apigateway:${r}::/apis/${scope.apiId}*`,
        ],
        trail: scope.trailName ? `arn:aws:cloudtrail:${r}:${a}:trail/${scope.trailName}` : undefined,
    };
}

/*
 * The action lists below are the calls the provider makes (analysis/providerActions.ts, read from
 * its source), and tests/ciRights.test.ts checks them against every resource the program creates:
 * each call is allowed, and nothing is granted that no call needs.
 */

/** Reads of a stage's IAM roles (a refresh of roles and their inline policies). */
const ROLE_READS = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"];

/** Configuration reads of a bucket, as the provider refreshes it. */
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
const LOG_GROUP_READS = ["logs:ListTagsForResource"];
const TRAIL_READS = ["cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "cloudtrail:GetInsightSelectors", "cloudtrail:ListTags"];
/**
 * Every tagging action of the services whose resources CI tags, as patterns: `iam:Tag*` also
 * covers IAM resource types CI never tags, which a deny may (the patterns keep the deploy
 * policy under IAM's inline size quota).
 */
const TAGGING_ACTIONS = ["iam:Tag*", "iam:Untag*", "cognito-idp:*TagResource", "cognito-identity:*TagResource", "lambda:*TagResource", "logs:*TagResource"];
const OIDC_PROVIDER_READS = ["iam:GetOpenIDConnectProvider"];
const BOUNDARY_READS = ["iam:GetPolicy", "iam:GetPolicyVersion"];

/** A stack's state in an S3 backend (Pulumi's DIY backend). */
export interface StateScope {
    readonly bucket: string;
    readonly project: string;
    readonly stage: string;
}

/**
 * Rights on Pulumi state of an S3 backend, the stage's own stack only. The key layout is the one
 * of Pulumi's DIY backend with project-scoped stacks (pkg/backend/diy: store.go, lock.go,
 * meta.go, state.go): `.pulumi/stacks/<project>/<stack>.json` (or `.json.gz`, `.json.zst`) with a
 * `.bak` copy beside it, `.pulumi/{history,backups,journal}/<project>/<stack>/`, and
 * `.pulumi/locks/organization/<project>/<stack>/<lock id>.json`. `.pulumi/meta.yaml` is read
 * only: the administrator's first `pulumi stack init` writes it. `deploy` reads and updates the
 * state and takes the stack's lock. `preview` only reads: the DIY backend's `Preview` takes no
 * lock and persists nothing for a dry run (pkg/backend/diy/backend.go `Preview` and `apply`,
 * https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/backend/diy/backend.go),
 * while `Lock` writes `<lock id>.json` under the stack's lock folder and `Unlock` deletes it
 * (https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/backend/diy/lock.go).
 * A lock right would let a pull request plant a lock that stops the stage's deploys, or delete
 * a running deploy's lock, since every lock of a stack lies in one folder. Listing the bucket
 * shows key names (stack names, timestamps), never contents. A managed policy of its own, so
 * the CI roles' inline policies keep their room under IAM's size quota.
 */
export function ciStatePolicy(state: StateScope, kind: "preview" | "deploy"): PolicyDocument {
    const key = (path: string) => `arn:aws:s3:::${state.bucket}/.pulumi/${path}`;
    const stackFiles = [".json", ".json.gz", ".json.zst"].flatMap((ext) => [`${state.stage}${ext}`, `${state.stage}${ext}.bak`]).map((file) => key(`stacks/${state.project}/${file}`));
    const ownDirs = (...dirs: string[]) => dirs.map((dir) => key(`${dir}/${state.project}/${state.stage}/*`));
    const lock = key(`locks/organization/${state.project}/${state.stage}/*`);
    return policy(
        { Sid: "StateList", Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${state.bucket}` },
        { Sid: "StateMeta", Effect: "Allow", Action: "s3:GetObject", Resource: key("meta.yaml") },
        kind === "deploy"
            ? { Sid: "StackState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [...stackFiles, ...ownDirs("history", "backups", "journal"), lock] }
            : { Sid: "StackStateRead", Effect: "Allow", Action: "s3:GetObject", Resource: [...stackFiles, ...ownDirs("history")] },
    );
}

/** Reads both CI roles need for `pulumi preview --refresh` / `up --refresh` of administrator-managed parts. */
function administeredReads(scope: StageScope): PolicyStatement[] {
    const arn = arns(scope);
    return [
        { Sid: "ReadCiRoles", Effect: "Allow", Action: ROLE_READS, Resource: arn.ciRoles },
        {
            // The boundary, and the state policies when the stack keeps its state in S3.
            Sid: "ReadAdministeredPolicies",
            Effect: "Allow",
            Action: BOUNDARY_READS,
            Resource: [scope.boundaryArn, `arn:aws:iam::${scope.accountId}:policy${scope.ciRolePath}${scope.namePrefix}-ci-*-state`],
        },
        { Sid: "ReadGitHubProvider", Effect: "Allow", Action: OIDC_PROVIDER_READS, Resource: scope.githubProviderArn },
        ...(arn.trail ? [{ Sid: "ReadAuditTrail", Effect: "Allow" as const, Action: TRAIL_READS, Resource: arn.trail }] : []),
    ];
}

/**
 * What `pulumi preview` (and `preview --refresh`) of one stage reads: the configuration of
 * the stage's resources, never their data: no object reads or listings of the stage's
 * buckets, no user records, no secrets.
 */
export function ciPreviewPolicy(scope: StageScope): PolicyDocument {
    const arn = arns(scope);
    return policy(
        { Sid: "ReadStageRoles", Effect: "Allow", Action: ROLE_READS, Resource: arn.workloadRoles },
        { Sid: "ReadUserPoolOidcProviders", Effect: "Allow", Action: OIDC_PROVIDER_READS, Resource: arn.userPoolOidcProvider, Condition: tagged(scope, "ResourceTag") },
        { Sid: "ReadBucketConfiguration", Effect: "Allow", Action: BUCKET_CONFIG_READS, Resource: arn.buckets },
        { Sid: "ReadUserPools", Effect: "Allow", Action: USER_POOL_READS, Resource: arn.userPools, Condition: tagged(scope, "ResourceTag") },
        { Sid: "ReadIdentityPools", Effect: "Allow", Action: IDENTITY_POOL_READS, Resource: arn.identityPools, Condition: tagged(scope, "ResourceTag") },
        { Sid: "ReadFunctions", Effect: "Allow", Action: FUNCTION_READS, Resource: arn.functions },
        { Sid: "ReadLogGroups", Effect: "Allow", Action: LOG_GROUP_READS, Resource: arn.logGroups },
        { Sid: "ReadApi", Effect: "Allow", Action: "apigateway:GET", Resource: arn.api },
        {
            // Calls IAM cannot scope to a resource.
            Sid: "DescribeUnscoped",
            Effect: "Allow",
            // DescribeResourcePolicies: the refresh of the administrator's log delivery policy.
            Action: ["logs:DescribeLogGroups", "logs:DescribeResourcePolicies", ...(scope.trailName ? ["cloudtrail:DescribeTrails"] : [])],
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": scope.region } },
        },
        ...administeredReads(scope),
    );
}

/**
 * What `pulumi up` of one stage changes. Every role it creates or changes must carry the
 * stage's permissions boundary (and it cannot remove or change that boundary); it passes only
 * the stage's function execution roles, and only to Lambda; it cannot create a route that is
 * not IAM-authorized; it cannot touch the audit trail or its bucket; outside prod it may
 * delete the stage's resources (a destroy, a replacement, `forceDestroy` of a bucket).
 */
export function ciDeployPolicy(scope: StageScope): PolicyDocument {
    const arn = arns(scope);
    const bounded: Condition = { StringEquals: { "iam:PermissionsBoundary": scope.boundaryArn } };
    const deletes = <T>(...values: T[]): T[] => (scope.allowDeletes ? values : []);
    return policy(
        {
            Sid: "BoundedStageRoles",
            Effect: "Allow",
            Action: [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:PutRolePermissionsBoundary",
                "iam:DeleteRole",
            ],
            Resource: arn.workloadRoles,
            Condition: bounded,
        },
        {
            Sid: "StageRoleTagsAndReads",
            Effect: "Allow",
            Action: [...ROLE_READS, "iam:TagRole", "iam:UntagRole", "iam:ListInstanceProfilesForRole"],
            Resource: arn.workloadRoles,
        },
        {
            Sid: "PassExecutionRolesToLambda",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: arn.executionRoles,
            Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        },
        {
            Sid: "CreateUserPoolOidcProvider",
            Effect: "Allow",
            Action: ["iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"],
            Resource: arn.userPoolOidcProvider,
            Condition: tagged(scope, "RequestTag"),
        },
        {
            Sid: "ManageUserPoolOidcProvider",
            Effect: "Allow",
            Action: [
                ...OIDC_PROVIDER_READS,
                "iam:TagOpenIDConnectProvider",
                "iam:UntagOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
                "iam:DeleteOpenIDConnectProvider",
            ],
            Resource: arn.userPoolOidcProvider,
            Condition: tagged(scope, "ResourceTag"),
        },
        {
            Sid: "ManageStageBuckets",
            Effect: "Allow",
            Action: [
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
                ...deletes("s3:DeleteBucket", "s3:ListBucketVersions"),
            ],
            Resource: arn.buckets,
        },
        ...deletes<PolicyStatement>({
            // forceDestroy empties a bucket before deleting it.
            Sid: "EmptyStageBuckets",
            Effect: "Allow",
            Action: "s3:DeleteObjectVersion",
            Resource: arn.objects,
        }),
        {
            Sid: "CreateTaggedPools",
            Effect: "Allow",
            Action: ["cognito-idp:CreateUserPool", "cognito-identity:CreateIdentityPool"],
            Resource: "*",
            Condition: tagged(scope, "RequestTag"),
        },
        {
            Sid: "ManageStageUserPool",
            Effect: "Allow",
            Action: [
                ...USER_POOL_READS,
                "cognito-idp:UpdateUserPool",
                "cognito-idp:SetUserPoolMfaConfig",
                "cognito-idp:CreateUserPoolClient",
                "cognito-idp:UpdateUserPoolClient",
                "cognito-idp:DeleteUserPoolClient",
                "cognito-idp:CreateGroup",
                "cognito-idp:UpdateGroup",
                // A group holds its members: deleting one drops every membership, so only where data may go.
                ...deletes("cognito-idp:DeleteGroup"),
                "cognito-idp:TagResource",
                "cognito-idp:UntagResource",
                ...deletes("cognito-idp:DeleteUserPool"),
            ],
            Resource: arn.userPools,
            Condition: tagged(scope, "ResourceTag"),
        },
        {
            Sid: "ManageStageIdentityPool",
            Effect: "Allow",
            Action: [
                ...IDENTITY_POOL_READS,
                "cognito-identity:UpdateIdentityPool",
                "cognito-identity:TagResource",
                "cognito-identity:UntagResource",
                ...deletes("cognito-identity:DeleteIdentityPool"),
            ],
            Resource: arn.identityPools,
            Condition: tagged(scope, "ResourceTag"),
        },
        {
            Sid: "ManageStageFunctions",
            Effect: "Allow",
            Action: [
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
            Resource: arn.functions,
        },
        {
            Sid: "ManageStageLogGroups",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource", ...LOG_GROUP_READS, ...deletes("logs:DeleteLogGroup")],
            Resource: arn.logGroups,
        },
        {
            Sid: "CreateTaggedApi",
            Effect: "Allow",
            Action: "apigateway:POST",
            Resource: arn.apis,
            Condition: tagged(scope, "RequestTag"),
        },
        {
            Sid: "ManageStageApi",
            Effect: "Allow",
            Action: ["apigateway:GET", "apigateway:POST", "apigateway:PATCH", "apigateway:DELETE"],
            Resource: arn.api,
        },
        {
            Sid: "TagStageApi",
            Effect: "Allow",
            Action: ["apigateway:POST", "apigateway:DELETE"],
            Resource: arn.apiTags,
        },
        {
            // The design's promise that every route is IAM-authorized holds for CI too: a route
            // created or changed, and the route a quick-create API (or its update) makes.
            Sid: "NoRouteWithoutIam",
            Effect: "Deny",
            Action: ["apigateway:POST", "apigateway:PATCH"],
            Resource: [arn.apis, arn.api[0], arn.routes],
            Condition: { "ForAnyValue:StringNotEquals": { "apigateway:Request/RouteAuthorizationType": "AWS_IAM" } },
        },
        {
            // A route created without naming its authorization type is refused too: it would get API Gateway's
            // default, which is not IAM (NONE, as read from the API reference; not verified). Creation only
            // (POST on the routes collection): the provider sends AuthorizationType on an update only when it
            // changes (route.go, resourceRouteUpdate), so an update of the target or the operation name names
            // none, and it leaves the route's type as it is (PATCH semantics; AWS does not document whether it
            // fills the key in from the route). A type that an update does name is held by NoRouteWithoutIam.
            Sid: "NoRouteOfUnstatedAuthorization",
            Effect: "Deny",
            Action: "apigateway:POST",
            Resource: arn.routeCollection,
            Condition: { Null: { "apigateway:Request/RouteAuthorizationType": "true" } },
        },
        {
            // Access logs go to the stage's own log groups, never another stage's.
            Sid: "AccessLogsStayInStage",
            Effect: "Deny",
            Action: ["apigateway:POST", "apigateway:PATCH"],
            Resource: arn.stages,
            // Only a request that names a destination: negated operators match an absent key.
            Condition: { Null: { "apigateway:Request/AccessLoggingDestination": "false" }, StringNotLike: { "apigateway:Request/AccessLoggingDestination": arn.logGroupsByArn } },
        },
        {
            // Calls IAM cannot scope to a resource; HTTP API access logging needs log deliveries.
            // Never logs:PutResourcePolicy: it rewrites any log delivery policy of the account (other
            // stages' included); the one this stage needs is an administrator's (HttpApi.logDelivery).
            // DescribeResourcePolicies only reads those policies: the refresh of that one needs it.
            Sid: "DescribeAndLogDeliveryUnscoped",
            Effect: "Allow",
            Action: [
                "logs:DescribeLogGroups",
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:DescribeResourcePolicies",
                ...(scope.trailName ? ["cloudtrail:DescribeTrails"] : []),
            ],
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": scope.region } },
        },
        ...[STAGE_TAG, PROJECT_TAG].map(
            (key): PolicyStatement => ({
                // Never a tag change that moves a resource into or out of a stage.
                Sid: `Keep${key[0].toUpperCase()}${key.slice(1)}Tag`,
                Effect: "Deny",
                Action: TAGGING_ACTIONS,
                Resource: "*",
                Condition: {
                    // Tag keys are case-sensitive, so `Stage` would be another key: refuse it too.
                    "ForAnyValue:StringEqualsIgnoreCase": { "aws:TagKeys": key },
                    StringNotEqualsIfExists: { [`aws:RequestTag/${key}`]: key === STAGE_TAG ? scope.stage : scope.project },
                },
            }),
        ),
        {
            Sid: "AuditTrailIsOutOfReach",
            Effect: "Deny",
            Action: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors", "cloudtrail:RemoveTags"],
            Resource: `arn:aws:cloudtrail:*:${scope.accountId}:trail/*`,
        },
        {
            // Everything but reading its configuration, on the audit log bucket and its objects.
            Sid: "AuditLogsAreOutOfReach",
            Effect: "Deny",
            NotAction: ["s3:ListBucket", "s3:ListTagsForResource", ...BUCKET_CONFIG_READS],
            Resource: [arn.auditBucket, arn.auditObjects],
        },
        {
            Sid: "BoundariesStay",
            Effect: "Deny",
            Action: ["iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"],
            Resource: "*",
        },
        ...administeredReads(scope),
    );
}
