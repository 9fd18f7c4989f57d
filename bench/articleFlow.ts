/**
 * The per-request flow of the original notebook and handler, as a baseline for the
 * benchmark: decode the IdToken without verifying it, AdminGetUser, GetId,
 * GetCredentialsForIdentity, then GetObject: four AWS calls on every request, no caching.
 * Not for deployment: it trusts an unverified token.
 */
import { AdminGetUserCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from "@aws-sdk/client-cognito-identity";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

import { header, HttpEvent, HttpResponse, jsonResponse } from "../lambdas/http";

export interface ArticleFlowSettings {
    readonly region: string;
    readonly userPoolId: string;
    readonly identityPoolId: string;
    readonly bucket: string;
    readonly prefix: string;
}

export function createArticleFlowHandler(
    settings: ArticleFlowSettings,
    endpoints: { idp?: string; identity?: string; s3?: string } = {},
    /** The function's own credentials, which AdminGetUser is signed with. @default the default chain */
    executionCredentials?: { accessKeyId: string; secretAccessKey: string },
) {
    const idp = new CognitoIdentityProviderClient({ region: settings.region, endpoint: endpoints.idp, credentials: executionCredentials });
    const identity = new CognitoIdentityClient({ region: settings.region, endpoint: endpoints.identity });
    return async function handler(event: HttpEvent): Promise<HttpResponse> {
        const idToken = header(event, "idToken") ?? "";
        const claims = JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString() || "{}");
        const logins = { [`cognito-idp.${settings.region}.amazonaws.com/${settings.userPoolId}`]: idToken };
        await idp.send(new AdminGetUserCommand({ UserPoolId: settings.userPoolId, Username: claims["cognito:username"] }));
        const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: settings.identityPoolId, Logins: logins }));
        const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
        const s3 = new S3Client({
            region: settings.region,
            endpoint: endpoints.s3,
            forcePathStyle: endpoints.s3 !== undefined,
            credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken },
        });
        const object = await s3.send(new GetObjectCommand({ Bucket: settings.bucket, Key: `${settings.prefix}/${IdentityId}/data.txt` }));
        return jsonResponse(200, { status: "success", type: "common", data: await object.Body?.transformToString() });
    };
}
