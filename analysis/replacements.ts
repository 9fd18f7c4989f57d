/**
 * Which input properties of each resource type this program declares make the provider replace
 * the resource when they change (Terraform's `ForceNew`, or `RequiresReplace` in the plugin
 * framework), named as Pulumi names them. Plain data: the change review (analysis/changes.ts)
 * decides update against replacement with it.
 *
 * Provider version: `@pulumi/aws` 7.48.0 (package-lock.json) bridges a hashicorp/terraform-provider-aws
 * release of v6.63.0 or later (pulumi-aws v7.45.0 already did:
 * https://github.com/pulumi/pulumi-aws/releases/tag/v7.45.0); the exact tag is not verified. Each
 * type's `source` is the schema's file at the commit that was read, which for some types is an
 * older release than that: a property made replace-on-change since then is not in this table.
 * Changing `region` (the provider's per-resource region argument) is not modelled: this program
 * never sets it.
 */

export interface ReplaceOnChange {
    /** Input properties whose change replaces the resource. */
    readonly properties: readonly string[];
    /** The resource's schema, at a pinned commit of hashicorp/terraform-provider-aws. */
    readonly source: string;
    readonly note?: string;
}

export const REPLACE_ON_CHANGE: Readonly<Record<string, ReplaceOnChange>> = {
    "aws:cognito/userPool:UserPool": {
        properties: ["aliasAttributes", "name", "usernameAttributes", "usernameConfiguration"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/015edb133ea64d879a0fdd1551d0c8daee7d4995/internal/service/cognitoidp/user_pool.go",
    },
    "aws:cognito/userPoolClient:UserPoolClient": {
        properties: ["generateSecret", "userPoolId"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/01f431114674c27cf790fafb67ac274bf8f765e1/internal/service/cognitoidp/user_pool_client.go",
    },
    "aws:cognito/userGroup:UserGroup": {
        properties: ["name", "userPoolId"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/0389eecfc28a5e2ac619651541a16d7fc289abf6/internal/service/cognitoidp/user_group.go",
    },
    "aws:cognito/identityPool:IdentityPool": {
        properties: ["identityPoolName", "developerProviderName"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/01c08000ddb14181b5bd19201d8fca311dc570e4/internal/service/cognitoidentity/pool.go",
    },
    "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": {
        properties: ["identityPoolId", "roles"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/0aa0d338dafe65943bca03c295f5e248b74f29b7/internal/service/cognitoidentity/pool_roles_attachment.go",
    },
    "aws:s3/bucket:Bucket": {
        properties: ["bucket", "bucketPrefix", "objectLockEnabled", "bucketNamespace"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/0070bcd12c952f14c5434a6f351ef7b6fa791226/internal/service/s3/bucket.go",
        note: "objectLockEnabled and bucketNamespace: not read in the source (newer than the copy read), assumed to replace, the side that reports more.",
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        properties: ["bucket"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/01606926a0c0ab9174aec440f976a48b0baee722/internal/service/s3/bucket_public_access_block.go",
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        properties: ["bucket"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/01c08000ddb14181b5bd19201d8fca311dc570e4/internal/service/s3/bucket_ownership_controls.go",
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        properties: ["bucket", "expectedBucketOwner"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/01606926a0c0ab9174aec440f976a48b0baee722/internal/service/s3/bucket_server_side_encryption_configuration.go",
    },
    "aws:s3/bucketVersioning:BucketVersioning": {
        properties: ["bucket", "expectedBucketOwner"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/01c08000ddb14181b5bd19201d8fca311dc570e4/internal/service/s3/bucket_versioning.go",
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        properties: ["bucket", "expectedBucketOwner"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/01606926a0c0ab9174aec440f976a48b0baee722/internal/service/s3/bucket_lifecycle_configuration.go",
    },
    "aws:s3/bucketPolicy:BucketPolicy": {
        properties: ["bucket"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/0073593e7d6993ba482409f4dc35438daaa79bb3/internal/service/s3/bucket_policy.go",
    },
    "aws:iam/role:Role": {
        properties: ["name", "namePrefix", "path"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/0040ea6911af00bea2cca6dbb14e86829826ad8e/internal/service/iam/role.go",
    },
    "aws:iam/rolePolicy:RolePolicy": {
        properties: ["name", "namePrefix", "role"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/02f97af85f89a04e8ed89f5e8b64a9a67f3cfe07/internal/service/iam/role_policy.go",
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        properties: ["role", "policyArn"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/04c79849dbe7fbe76c3054b364357bcdaade9ac5/internal/service/iam/role_policy_attachment.go",
    },
    "aws:iam/policy:Policy": {
        properties: ["description", "name", "namePrefix", "path"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/01ccd9a2d118a3e81a9649759bf14303526dc9e6/internal/service/iam/policy.go",
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        properties: ["url"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/01606926a0c0ab9174aec440f976a48b0baee722/internal/service/iam/openid_connect_provider.go",
    },
    "aws:lambda/function:Function": {
        properties: ["name", "packageType", "tenancyConfig"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/0156d84e6bb47e4a5fe0c8e87cf2d14fb1dc3b8c/internal/service/lambda/function.go",
        note: "durableConfig replaces only when the block is added or removed (CustomizeDiff); this program sets none.",
    },
    "aws:lambda/permission:Permission": {
        properties: ["action", "eventSourceToken", "function", "functionUrlAuthType", "invokedViaFunctionUrl", "principal", "principalOrgId", "qualifier", "sourceAccount", "sourceArn", "statementId", "statementIdPrefix"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/04592f03e5d83a5e1504b52a6d07063ffa3f708d/internal/service/lambda/permission.go",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        properties: ["logGroupClass", "name", "namePrefix"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/0073593e7d6993ba482409f4dc35438daaa79bb3/internal/service/logs/group.go",
    },
    "aws:apigatewayv2/api:Api": {
        properties: ["credentialsArn", "protocolType", "routeKey", "target"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/00a35305dc1b297a6fcdecdfbba33f1e63c3da39/internal/service/apigatewayv2/api.go",
    },
    "aws:apigatewayv2/stage:Stage": {
        properties: ["apiId", "name"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/02f6d2d9fb6028a483e4c2b92d7e2432ff0b9127/internal/service/apigatewayv2/stage.go",
    },
    "aws:apigatewayv2/integration:Integration": {
        properties: ["apiId", "integrationSubtype", "integrationType"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/3db496c3ef13bcbf12b401ce6f353c55b76701fa/internal/service/apigatewayv2/integration.go",
    },
    "aws:apigatewayv2/route:Route": {
        properties: ["apiId"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/00a35305dc1b297a6fcdecdfbba33f1e63c3da39/internal/service/apigatewayv2/route.go",
    },
    "aws:cloudtrail/trail:Trail": {
        properties: ["name"],
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/0a9af16a978467b3f82b89fa32e83c06ca152652/internal/service/cloudtrail/trail.go",
    },
};
