/**
 * Stands in for the AWS SDK's default credential chain (`@aws-sdk/credential-provider-node`)
 * in the handlers' bundles. No handler signs a request as the function's own role unless it says
 * so: read-file signs its S3 reads with the caller's identity-pool credentials, and the Cognito
 * Identity operations it calls (GetId, GetCredentialsForIdentity) are sent unsigned by the SDK;
 * the smoke-users broker, the one handler that acts as its role, hands its client the role's
 * keys explicitly (smokeUsersFunction.ts). Without the chain, a client built without explicit
 * credentials fails instead of quietly falling back to the execution role, and the bundle does
 * not carry the chain's code.
 */
export function defaultProvider(): () => Promise<never> {
    return async () => {
        throw new Error("This function has no default AWS credentials: give the client credentials explicitly.");
    };
}
