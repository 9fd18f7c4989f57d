import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";

import { requireEnv } from "./env";
import { createSmokeUsersHandler } from "./smokeUsers";

/** Environment variables the smoke-users broker is deployed with. */
export const SMOKE_USERS_ENV = ["USER_POOL_ID", "USER_POOL_CLIENT_ID"] as const;

/**
 * `callbackFactory` of the smoke-users broker. Unlike the other handlers it signs as its own
 * execution role, the one principal allowed to administer the smoke users: the bundle has no
 * default credential chain (`noDefaultCredentials.ts`), so the role's session is read here,
 * explicitly, from the variables Lambda sets to the execution role's keys (AWS Lambda Developer
 * Guide, "Defined runtime environment variables":
 * https://github.com/awsdocs/aws-lambda-developer-guide/blob/119ccaa5539325ed9381061642f0cdd2f230f2f5/doc_source/configuration-envvars.md).
 */
export function smokeUsersCallbackFactory() {
    const env = requireEnv([...SMOKE_USERS_ENV, "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]);
    const idp = new CognitoIdentityProviderClient({
        region: env.AWS_REGION,
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN },
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 },
    });
    return createSmokeUsersHandler({ userPoolId: env.USER_POOL_ID, clientId: env.USER_POOL_CLIENT_ID }, { idp });
}
