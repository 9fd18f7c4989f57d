import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { AuditTrail } from "./components/auditTrail";
import { HandlerFunction } from "./components/handlerFunction";
import { HttpApi } from "./components/httpApi";
import { IdentityFederation } from "./components/identityFederation";
import { GitHubCiRoles } from "./components/githubCi";
import { bucketNamePrefix, ciRolePath, workloadRolePath } from "./components/naming";
import { UserPoolOidcAccess } from "./components/oidcFederation";
import { PrivateBucket } from "./components/privateBucket";
import { StageAccessRole } from "./components/stageAccessRole";
import { parseStackSettings } from "./components/stackSettings";
import { UserDirectory } from "./components/userDirectory";
import { adminCallbackFactory, whoamiCallbackFactory } from "./lambdas/apiFunctions";
import { readFileCallbackFactory } from "./lambdas/readFileFunction";

// The only place that reads stack configuration.
const project = pulumi.getProject();
const projectConfig = new pulumi.Config();
const awsConfig = new pulumi.Config("aws");
const settings = parseStackSettings(
    pulumi.getStack(),
    (key) => projectConfig.get(key),
    (key) => awsConfig.get(key),
    project,
);
const callerExternalId = projectConfig.getSecret("callerExternalId", {
    minLength: 2,
    maxLength: 1224,
    pattern: /^[\w+=,.@:/-]+$/,
});

const baseName = `${project}-${settings.stage}`;
const rolePath = workloadRolePath(project, settings.stage);
const bucketPrefix = bucketNamePrefix(project, settings.stage);
const tags = { project, stage: settings.stage };

const directory = new UserDirectory("users", { mfa: settings.mfa, protect: settings.protectData, tags });

const userFiles = new PrivateBucket("user-files", {
    namePrefix: `${bucketPrefix}user-files-`,
    retainOnDelete: settings.protectData,
    tags,
});

const federation = new IdentityFederation("identities", {
    providerName: directory.providerName,
    clientId: directory.client.id,
    bucketName: userFiles.bucketName,
    prefix: settings.userFilesPrefix,
    roleNamePrefix: baseName,
    rolePath,
    tags,
});

const readFile = new HandlerFunction("read-file", {
    description: "GET /read-file: IdToken -> identity-pool credentials -> the caller's own data.txt",
    callbackFactory: readFileCallbackFactory,
    bundledPackages: ["aws-jwt-verify"],
    environment: {
        USER_POOL_ID: directory.userPool.id,
        USER_POOL_CLIENT_ID: directory.client.id,
        IDENTITY_POOL_ID: federation.identityPool.id,
        USER_FILES_BUCKET: userFiles.bucketName,
        USER_FILES_PREFIX: settings.userFilesPrefix,
    },
    logRetentionDays: settings.logRetentionDays,
    rolePath,
    tags,
});

const whoami = new HandlerFunction("whoami", {
    description: "GET /whoami: the caller's IAM identity as API Gateway authenticated it",
    callbackFactory: whoamiCallbackFactory,
    logRetentionDays: settings.logRetentionDays,
    rolePath,
    tags,
});

const admin = new HandlerFunction("admin", {
    description: "GET /admin: served to sessions of the admin identity role only",
    callbackFactory: adminCallbackFactory,
    environment: {
        ACCOUNT_ID: aws.getCallerIdentityOutput().accountId,
        ADMIN_ROLE_NAME: federation.roles.admin.name,
    },
    logRetentionDays: settings.logRetentionDays,
    rolePath,
    tags,
});

const api = new HttpApi("api", {
    logRetentionDays: settings.logRetentionDays,
    throttleRateLimit: settings.apiThrottleRateLimit,
    throttleBurstLimit: settings.apiThrottleBurstLimit,
    tags,
});
api.addRoute({ routeKey: "GET /read-file", handler: readFile });
api.addRoute({ routeKey: "GET /whoami", handler: whoami });
api.addRoute({ routeKey: "GET /admin", handler: admin });

api.grantInvoke("user-identity", federation.roles.user, ["GET /read-file"]);
api.grantInvoke("admin-identity", federation.roles.admin, ["GET /read-file", "GET /admin"]);

const stageAccess = new StageAccessRole("stage-access", {
    stage: settings.stage,
    callerAccountId: settings.callerAccountId,
    callerRoles: { development: settings.callerDevRoleName, production: settings.callerProdRoleName },
    externalId: callerExternalId,
    // No path: callers name arn:aws:iam::<account>:role/ApiAllowByIamRole<Stage> in their own policies.
    tags,
});
api.grantInvokeAll("stage-access", stageAccess.role);

const audit = settings.auditTrail
    ? new AuditTrail("audit", {
          trailName: `${baseName}-audit`,
          bucketNamePrefix: `${bucketPrefix}audit-logs-`,
          watchedBucketName: userFiles.bucketName,
          tags,
      })
    : undefined;

const oidc = new UserPoolOidcAccess("oidc", {
    issuerUrl: directory.issuerUrl,
    clientId: directory.client.id,
    bucketName: userFiles.bucketName,
    roleName: `${baseName}-oidc-reader`,
    rolePath,
    tags,
});

const ci = settings.githubRepository
    ? new GitHubCiRoles("ci", {
          repository: settings.githubRepository,
          existingProviderArn: settings.githubOidcProviderArn,
          deployEnvironment: settings.githubDeployEnvironment,
          roleNamePrefix: baseName,
          rolePath: ciRolePath(project, settings.stage),
          scope: aws.getCallerIdentityOutput().accountId.apply((accountId) => ({
              accountId,
              region: settings.region,
              workloadRolePath: rolePath,
              extraRoleNames: [stageAccess.roleName],
              bucketPrefix,
              trailPrefix: `${baseName}-`,
              stateBucket: settings.ciStateBucket,
          })),
          tags,
      })
    : undefined;

export const stage = settings.stage;
export const region = settings.region;
export const userPoolId = directory.userPool.id;
export const userPoolClientId = directory.client.id;
export const userPoolProviderName = directory.providerName;
export const userPoolIssuer = directory.issuerUrl;
export const identityPoolId = federation.identityPool.id;
export const userFilesBucket = userFiles.bucketName;
export const userFilesPrefix = settings.userFilesPrefix;
export const adminRoleArn = federation.roles.admin.arn;
export const userRoleArn = federation.roles.user.arn;
export const readFileFunctionName = readFile.functionName;
export const apiEndpoint = api.endpoint;
export const apiId = api.api.id;
export const apiRoutes = api.routeKeys();
export const stageAccessRoleArn = stageAccess.role.arn;
export const stageAccessTrustedCaller = stageAccess.trustedCallerArn;
export const callerExternalIdRequired = callerExternalId !== undefined;
export const auditTrailArn = audit?.trailArn;
export const auditLogBucket = audit?.logBucket.bucketName;
export const oidcProviderArn = oidc.provider.arn;
export const oidcReaderRoleArn = oidc.role.arn;
export const githubOidcProviderArn = ci?.providerArn;
export const ciPreviewRoleArn = ci?.previewRole.arn;
export const ciDeployRoleArn = ci?.deployRole.arn;
