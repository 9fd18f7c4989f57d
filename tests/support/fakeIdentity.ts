import type { CognitoIdentitySender } from "../../lambdas/identityCredentials";
import { REGION } from "./tokens";

const HOUR = 3600_000;

/** A Cognito Identity that answers GetId and GetCredentialsForIdentity as told, and records each call. */
export function fakeIdentity(credentials: (identityId: string) => Record<string, unknown> | undefined, identityId: (sub: string) => string | undefined = (sub) => `${REGION}:id-${sub}`) {
    const calls: string[] = [];
    let issued = 0;
    const sender: CognitoIdentitySender = {
        async getId(input) {
            calls.push("GetId");
            const token = Object.values(input.Logins ?? {})[0];
            const sub = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub as string;
            return { IdentityId: identityId(sub) };
        },
        async getCredentialsForIdentity(input) {
            calls.push("GetCredentialsForIdentity");
            issued++;
            const id = input.IdentityId;
            return { IdentityId: id, Credentials: credentials(`${id}#${issued}`) as never };
        },
    };
    return { sender, calls };
}

export const fullCredentials = (tag: string) => ({ AccessKeyId: `ASIA-${tag}`, SecretKey: "secret", SessionToken: "session", Expiration: new Date(Date.now() + HOUR) });
