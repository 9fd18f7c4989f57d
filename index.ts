import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

import { AuditTrail } from "./components/storage/auditTrail";
import { GitHubCiRoles, GITHUB_OIDC_HOST } from "./components/ci/githubCi";
import { HandlerFunction } from "./components/api/handlerFunction";
import { HttpApi } from "./components/api/httpApi";
import { IdentityFederation } from "./components/identity/identityFederation";
import {
    bucketNamePrefix,
    ciRolePath,
    logGroupPrefix,
    PROJECT_TAG,
    SMOKE_RECORDS_PREFIX,
    smokeRecordExpirations,
    STAGE_TAG,
    stageNamePrefix,
    stageOfBucket,
    workloadRolePath,
} from "./components/config/naming";
import { UserPoolOidcAccess } from "./components/identity/oidcFederation";
import { PrivateBucket } from "./components/storage/privateBucket";
import { smokeUsersBrokerPolicy } from "./components/policies/workload";
import { StageAccessRole } from "./components/api/stageAccessRole";
import { StageBoundary } from "./components/ci/stageBoundary";
import { parseStackSettings, runtimeSecretCheck } from "./components/config/stackSettings";
import { USER_GROUPS, UserDirectory } from "./components/identity/userDirectory";
import { adminCallbackFactory, whoamiCallbackFactory } from "./lambdas/apiFunctions";
import { ROUTES } from "./lambdas/contract";
import { READ_FILE_PACKAGES, readFileCallbackFactory } from "./lambdas/readFileFunction";
import { smokeUsersCallbackFactory } from "./lambdas/smokeUsersFunction";

// The only place that reads stack configuration. Read raw, so that validation sees every key
// the stack has (unknown ones are refused) and a secret is never read through Config.get.
const project = pulumi.getProject();
const rawConfig = pulumi.runtime.allConfig();
const settings = parseStackSettings(
    pulumi.getStack(),
    (key) => rawConfig[`${project}:${key}`],
    (key) => rawConfig[`aws:${key}`],
    {
        namespace: project,
        configKeys: Object.keys(rawConfig),
        isSecret: runtimeSecretCheck(),
        // The offline plan and the tests run on the mock engine with the example values; a real
        // preview or deployment must name the user's own caller account and repository.
        refuseExampleValues: !(pulumi.runtime.getMonitor() instanceof MockMonitor),
    },
);
// Validated above; read again as an Output so that it stays a secret wherever it flows.
const callerExternalId = settings.callerExternalIdSet ? new pulumi.Config().requireSecret("callerExternalId") : undefined;

const stage = settings.stage;
const baseName = stageNamePrefix(project, stage);
const rolePath = workloadRolePath(project, stage);
const ciPath = ciRolePath(project, stage);
const bucketPrefix = bucketNamePrefix(project, stage);
const logPrefix = logGroupPrefix(project, stage);
const tags = { [PROJECT_TAG]: project, [STAGE_TAG]: stage };
// A state bucket named like a stage's buckets would fall under that stage's deploy rights
// (bucket policy, deletes): its pipeline could then reach every stack's state. Any stage's,
// not only the stages of this repository's stack files: a stage is added by a stack file.
const stateBucketOfStage = settings.ciStateBucket ? stageOfBucket(project, settings.ciStateBucket) : undefined;
if (stateBucketOfStage) {
    throw new Error(
        `${project}:ciStateBucket '${settings.ciStateBucket}' starts with '${bucketNamePrefix(project, stateBucketOfStage)}', the prefix of the ${stateBucketOfStage} stage's buckets, whose deploy role may change them: keep Pulumi state in a bucket named otherwise`,
    );
}
const accountId = aws.getCallerIdentityOutput().accountId;

const directory = new UserDirectory("users", {
    groups: USER_GROUPS,
    mfa: settings.mfa,
    idTokenValidityMinutes: settings.idTokenValidityMinutes,
    protect: settings.protectData,
    tags,
});

const userFiles = new PrivateBucket("user-files", {
    namePrefix: `${bucketPrefix}user-files-`,
    retainOnDelete: settings.protectData,
    // Run records of the smoke checks outlive a crashed run long enough to be swept, no longer;
    // no expiration may reach a user's folder.
    expirations: smokeRecordExpirations(settings.userFilesPrefix),
    protectedPrefixes: [`${settings.userFilesPrefix}/`],
    tags,
});

const api = new HttpApi("api", {
    logRetentionDays: settings.logRetentionDays,
    accessLogGroupName: `${logPrefix}api/access`,
    logDeliveryPolicyName: `${baseName}-api-access-log-delivery`,
    throttleRateLimit: settings.apiThrottleRateLimit,
    throttleBurstLimit: settings.apiThrottleBurstLimit,
    tags,
});

const boundary = new StageBoundary("boundary", {
    policyName: `${baseName}-workload-boundary`,
    path: ciPath,
    scope: pulumi.all([accountId, api.executionArn, directory.userPool.arn]).apply(([account, apiExecutionArn, userPoolArn]) => ({
        accountId: account,
        region: settings.region,
        userFilesBucketPrefix: `${bucketPrefix}user-files-`,
        userFilesPrefix: settings.userFilesPrefix,
        apiExecutionArn,
        logGroupPrefix: logPrefix,
        userPoolArn,
    })),
    tags,
});

const federation = new IdentityFederation("identities", {
    // The pool's groups, admin first: a member of both gets the admin role.
    groups: USER_GROUPS,
    protect: settings.protectData,
    providerName: directory.providerName,
    clientId: directory.client.id,
    bucketName: userFiles.bucketName,
    prefix: settings.userFilesPrefix,
    roleNamePrefix: baseName,
    rolePath,
    permissionsBoundary: boundary.arn,
    tags,
});

const handler = (name: string) => ({
    functionName: `${baseName}-${name}`,
    roleName: `${baseName}-${name}-fn`,
    logGroupName: `${logPrefix}lambda/${name}`,
    permissionsBoundary: boundary.arn,
    logRetentionDays: settings.logRetentionDays,
    rolePath,
    tags,
});

const readFile = new HandlerFunction("read-file", {
    ...handler("read-file"),
    description: "GET /read-file: IdToken -> identity-pool credentials -> the caller's own data.txt",
    callbackFactory: readFileCallbackFactory,
    bundledPackages: READ_FILE_PACKAGES,
    environment: {
        USER_POOL_ID: directory.userPool.id,
        USER_POOL_CLIENT_ID: directory.client.id,
        IDENTITY_POOL_ID: federation.identityPool.id,
        USER_FILES_BUCKET: userFiles.bucketName,
        USER_FILES_PREFIX: settings.userFilesPrefix,
    },
});

const whoami = new HandlerFunction("whoami", {
    ...handler("whoami"),
    description: "GET /whoami: the caller's IAM identity as API Gateway authenticated it",
    callbackFactory: whoamiCallbackFactory,
});

const admin = new HandlerFunction("admin", {
    ...handler("admin"),
    description: "GET /admin: served to sessions of the admin identity role only",
    callbackFactory: adminCallbackFactory,
    environment: {
        ACCOUNT_ID: accountId,
        ADMIN_ROLE_NAME: federation.roles.admin.name,
    },
});

// The smoke checks' only way into the user pool: it manages `smoke+<runId>-…` users and no
// one else, and only the smoke role may invoke it (components/policies/workload.ts, smokeChecksPolicy).
const smokeUsers = new HandlerFunction("smoke-users", {
    ...handler("smoke-users"),
    description: "Smoke-check users only: creates, signs in and deletes smoke+<runId>-... users of the stage's pool",
    callbackFactory: smokeUsersCallbackFactory,
    environment: {
        USER_POOL_ID: directory.userPool.id,
        USER_POOL_CLIENT_ID: directory.client.id,
    },
});
new aws.iam.RolePolicy("smoke-users-pool", {
    role: smokeUsers.role.name,
    name: "smoke-users-of-stage-pool",
    policy: directory.userPool.arn.apply((arn) => JSON.stringify(smokeUsersBrokerPolicy(arn))),
});

const readFileRoute = api.addRoute({ routeKey: ROUTES.readFile, handler: readFile });
const whoamiRoute = api.addRoute({ routeKey: ROUTES.whoami, handler: whoami });
const adminRoute = api.addRoute({ routeKey: ROUTES.admin, handler: admin });

api.grantInvoke("user-identity", federation.roles.user, [readFileRoute]);
api.grantInvoke("admin-identity", federation.roles.admin, [readFileRoute, adminRoute]);

const stageAccess = new StageAccessRole("stage-access", {
    stage,
    tier: settings.tier,
    callerAccountId: settings.callerAccountId,
    callerRoles: { development: settings.callerDevRoleName, production: settings.callerProdRoleName },
    externalId: callerExternalId,
    // No path: callers name arn:aws:iam::<account>:role/ApiAllowByIamRole<Stage> in their own policies.
    permissionsBoundary: boundary.arn,
    tags,
});
api.grantInvokeAll("stage-access", stageAccess.role);

const oidc = new UserPoolOidcAccess("oidc", {
    issuerUrl: directory.issuerUrl,
    clientId: directory.client.id,
    roleName: `${baseName}-oidc-user`,
    rolePath,
    permissionsBoundary: boundary.arn,
    tags,
});
// Every user of the app client can take this role, so it gets only what every user may do.
api.grantInvoke("oidc-user", oidc.role, [whoamiRoute]);

const audit = settings.auditTrail
    ? new AuditTrail("audit", {
          trailName: `${baseName}-audit`,
          bucketNamePrefix: `${bucketPrefix}audit-logs-`,
          accessLogBucketNamePrefix: `${bucketPrefix}audit-access-`,
          watchedBucketName: userFiles.bucketName,
          tags,
      })
    : undefined;

const ci = settings.githubRepository
    ? new GitHubCiRoles("ci", {
          repository: settings.githubRepository,
          repositoryIds: settings.githubRepositoryIds,
          // A production stage is not previewed by pull requests (its secrets would be decrypted for their code).
          previewRole: settings.tier !== "production",
          existingProviderArn:
              settings.githubOidcProvider === "existing"
                  ? // IAM names an OIDC provider after its URL: arn:<partition>:iam::<account>:oidc-provider/<host>.
                    pulumi.interpolate`arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`
                  : undefined,
          deployEnvironment: settings.githubDeployEnvironment,
          subjectIncludesRef: settings.githubSubjectIncludesRef,
          roleNamePrefix: baseName,
          rolePath: ciPath,
          scope: pulumi
              .all([accountId, directory.userPool.id, federation.identityPool.id, api.api.id, boundary.arn])
              .apply(([account, userPoolId, identityPoolId, apiId, boundaryArn]) => ({
              accountId: account,
              region: settings.region,
              project,
              stage,
              namePrefix: baseName,
              workloadRolePath: rolePath,
              extraRoleNames: [stageAccess.roleName],
              ciRolePath: ciPath,
              boundaryArn,
              userPoolId,
              identityPoolId,
              bucketPrefix,
              // Both audit buckets: the trail's logs and the record of who read or deleted them.
              auditBucketPrefix: `${bucketPrefix}audit-`,
              logGroupPrefix: logPrefix,
              apiId,
              trailName: audit ? `${baseName}-audit` : undefined,
              allowDeletes: !settings.protectData,
          })),
          state: settings.ciStateBucket ? { bucket: settings.ciStateBucket, project, stage } : undefined,
          smokeScope: pulumi
              .all([smokeUsers.arn, userFiles.bucketName])
              .apply(([smokeUsersFunctionArn, userFilesBucket]) => ({
                  smokeUsersFunctionArn,
                  userFilesBucket,
                  recordsPrefix: SMOKE_RECORDS_PREFIX,
                  userFilesPrefix: settings.userFilesPrefix,
                  callerRoleArn: stageAccess.trustedCallerArn,
              })),
          tags,
      })
    : undefined;

export { stage };
export const tier = settings.tier;
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
export const smokeUsersFunctionName = smokeUsers.functionName;
export const apiEndpoint = api.endpoint;
export const apiId = api.api.id;
export const apiRoutes = api.routeKeys();
export const stageAccessRoleArn = stageAccess.role.arn;
export const stageAccessTrustedCaller = stageAccess.trustedCallerArn;
export const callerExternalIdRequired = callerExternalId !== undefined;
export const permissionsBoundaryArn = boundary.arn;
export const auditTrailArn = audit?.trailArn;
export const auditLogBucket = audit?.logBucket.bucketName;
export const auditAccessLogBucket = audit?.accessLogBucket.bucketName;
export const oidcProviderArn = oidc.provider.arn;
export const oidcRoleArn = oidc.role.arn;
export const githubOidcProviderArn = ci?.providerArn;
export const ciPreviewRoleArn = ci?.previewRole?.arn;
export const ciDeployRoleArn = ci?.deployRole.arn;
export const ciSmokeRoleArn = ci?.smokeRole.arn;
