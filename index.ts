import * as pulumi from "@pulumi/pulumi";

import { HandlerFunction } from "./components/handlerFunction";
import { IdentityFederation } from "./components/identityFederation";
import { PrivateBucket } from "./components/privateBucket";
import { parseStackSettings } from "./components/stackSettings";
import { UserDirectory } from "./components/userDirectory";
import { readFileCallbackFactory } from "./lambdas/readFileFunction";

// The only place that reads stack configuration.
const projectConfig = new pulumi.Config();
const awsConfig = new pulumi.Config("aws");
const settings = parseStackSettings(
    pulumi.getStack(),
    (key) => projectConfig.get(key),
    (key) => awsConfig.get(key),
    pulumi.getProject(),
);

const baseName = `${pulumi.getProject()}-${settings.stage}`;
const tags = { project: pulumi.getProject(), stage: settings.stage };

const directory = new UserDirectory("users", { mfa: settings.mfa, protect: settings.protectData, tags });

const userFiles = new PrivateBucket("user-files", { retainOnDelete: settings.protectData, tags });

const federation = new IdentityFederation("identities", {
    providerName: directory.providerName,
    clientId: directory.client.id,
    bucketName: userFiles.bucketName,
    prefix: settings.userFilesPrefix,
    roleNamePrefix: baseName,
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
    tags,
});

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
