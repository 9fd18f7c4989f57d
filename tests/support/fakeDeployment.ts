/**
 * A deployed stage, faked: Cognito (user pool and identity pool), S3 and STS answered through
 * aws-sdk-client-mock with the deployment's authorization rules, and the HTTP API served by
 * the SigV4-verifying loopback server. Each rule can be broken on purpose (`breaks`) so a
 * test can show the smoke check guarding it fails.
 */
import {
    AdminAddUserToGroupCommand,
    AdminCreateUserCommand,
    AdminDeleteUserCommand,
    AdminInitiateAuthCommand,
    AdminSetUserPasswordCommand,
    CognitoIdentityProviderClient,
    ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoIdentityClient, DeleteIdentitiesCommand, GetCredentialsForIdentityCommand, GetIdCommand } from "@aws-sdk/client-cognito-identity";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { sdkStreamMixin } from "@smithy/util-stream";
import { mockClient } from "aws-sdk-client-mock";
import { Readable } from "stream";

import { createSignedApiClient } from "../../client/apiClient";
import { jsonResponse } from "../../lambdas/http";
import { createAdminHandler, createWhoamiHandler } from "../../lambdas/whoami";
import { SmokeClients, StackOutputs } from "../../smoke/smoke";
import { SigV4Server, startSigV4Server } from "./sigv4Server";

export type Break =
    | "read-file-returns-other-user" // check 1
    | "s3-cross-user-read" // check 2
    | "unsigned-allowed" // check 3
    | "user-role-reaches-admin" // check 4
    | "other-caller-assumes" // check 5
    | "oidc-role-writes"; // check 6

const ACCOUNT = "111122223333";
export const CALLER_ACCOUNT = "210987654321";
const REGION = "ap-northeast-1";
const POOL = `${REGION}_FakePool`;

interface Credential {
    readonly secret: string;
    readonly token: string;
    readonly arn: string;
    readonly kind: "identity" | "oidc" | "stage" | "caller";
    readonly identityId?: string;
}

export interface FakeDeployment {
    readonly outputs: StackOutputs;
    readonly clients: SmokeClients;
    readonly breaks: Set<Break>;
    /** Users by username, with their creation time. */
    readonly users: Map<string, { password: string; group?: string; sub: string; created: Date }>;
    readonly identities: Set<string>;
    readonly objects: Map<string, string>;
    readonly callerDev: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    readonly callerProd: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    readonly api: SigV4Server;
    /** Runs before each AWS call the fake answers (for interruption tests). */
    beforeCall?: (command: string) => void | Promise<void>;
    close(): Promise<void>;
}

const denied = (message = "Access Denied") => new S3ServiceException({ name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 }, message });
const stsDenied = (message: string) => new STSServiceException({ name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 }, message });

function token(claims: Record<string, unknown>): string {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    return `${part({ alg: "RS256", kid: "fake" })}.${part(claims)}.c2lnbmF0dXJl`;
}
const claimsOf = (idToken: string) => JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString());

export async function startFakeDeployment(stage: "deve" | "stag" | "prod" = "deve"): Promise<FakeDeployment> {
    const roleSuffix = stage[0].toUpperCase() + stage.slice(1);
    const stageRoleName = `ApiAllowByIamRole${roleSuffix}`;
    const trustedCaller = stage === "prod" ? "LambdaRoleProd" : "LambdaRoleDeve";
    const users = new Map<string, { password: string; group?: string; sub: string; created: Date }>();
    const identities = new Set<string>();
    const objects = new Map<string, string>();
    const credentials = new Map<string, Credential>();
    const breaks = new Set<Break>();
    let serial = 0;

    const issue = (kind: Credential["kind"], arn: string, identityId?: string) => {
        const accessKeyId = `ASIA${kind.toUpperCase()}${++serial}`;
        const credential = { secret: `secret-${serial}`, token: `token-${serial}`, arn, kind, identityId };
        credentials.set(accessKeyId, credential);
        return { accessKeyId, ...credential };
    };
    const callerDevIssued = issue("caller", `arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/LambdaRoleDeve/caller`);
    const callerProdIssued = issue("caller", `arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/LambdaRoleProd/caller`);

    const outputs: StackOutputs = {
        stage,
        region: REGION,
        userPoolId: POOL,
        userPoolClientId: "fakeclient",
        userPoolProviderName: `cognito-idp.${REGION}.amazonaws.com/${POOL}`,
        identityPoolId: `${REGION}:fake-identity-pool`,
        userFilesBucket: `federated-access-${stage}-user-files-fake`,
        userFilesPrefix: "cognito-test",
        apiEndpoint: "",
        stageAccessRoleArn: `arn:aws:iam::${ACCOUNT}:role/${stageRoleName}`,
        oidcReaderRoleArn: `arn:aws:iam::${ACCOUNT}:role/federated-access/${stage}/federated-access-${stage}-oidc-reader`,
    };
    const userRole = `federated-access-${stage}-user-identity`;
    const adminRole = `federated-access-${stage}-admin-identity`;
    const roleOf = (arn: string) => arn.split("/")[1];

    const fake: Partial<FakeDeployment> = {};
    const gate = async (command: string) => {
        await fake.beforeCall?.(command);
    };

    // --- Cognito user pool -------------------------------------------------------------
    const idp = mockClient(CognitoIdentityProviderClient);
    idp.on(AdminCreateUserCommand).callsFake(async (input) => {
        await gate("AdminCreateUser");
        users.set(input.Username, { password: input.TemporaryPassword, sub: `sub-${++serial}`, created: new Date() });
        return { User: { Username: input.Username } };
    });
    idp.on(AdminSetUserPasswordCommand).callsFake(async (input) => {
        await gate("AdminSetUserPassword");
        const user = users.get(input.Username) ?? (() => { throw Object.assign(new Error("User does not exist."), { name: "UserNotFoundException" }); })();
        user.password = input.Password;
        return {};
    });
    idp.on(AdminAddUserToGroupCommand).callsFake(async (input) => {
        await gate("AdminAddUserToGroup");
        users.get(input.Username)!.group = input.GroupName;
        return {};
    });
    idp.on(AdminInitiateAuthCommand).callsFake(async (input) => {
        await gate("AdminInitiateAuth");
        const user = users.get(input.AuthParameters.USERNAME);
        if (!user || user.password !== input.AuthParameters.PASSWORD || input.ClientId !== outputs.userPoolClientId) {
            throw Object.assign(new Error("Incorrect username or password."), { name: "NotAuthorizedException" });
        }
        const idToken = token({ sub: user.sub, aud: outputs.userPoolClientId, "cognito:groups": user.group ? [user.group] : [], "cognito:username": input.AuthParameters.USERNAME });
        return { AuthenticationResult: { IdToken: idToken } };
    });
    idp.on(ListUsersCommand).callsFake(async (input) => {
        await gate("ListUsers");
        const prefix = /email \^= "([^"]*)"/.exec(input.Filter ?? "")?.[1] ?? "";
        return {
            Users: [...users.entries()]
                .filter(([name]) => name.startsWith(prefix))
                .map(([name, u]) => ({ Username: u.sub, UserCreateDate: u.created, Attributes: [{ Name: "email", Value: name }] })),
        };
    });
    // ListUsers returns the sub as Username (as Cognito does for email-alias pools); accept both.
    const byUsernameOrSub = (name: string) => [...users.entries()].find(([n, u]) => n === name || u.sub === name)?.[0];
    idp.on(AdminDeleteUserCommand).callsFake(async (input) => {
        await gate("AdminDeleteUser");
        const name = byUsernameOrSub(input.Username);
        if (name) users.delete(name);
        return {};
    });

    // --- Cognito identity pool ---------------------------------------------------------
    const identity = mockClient(CognitoIdentityClient);
    const identityIdOf = (sub: string) => `${REGION}:identity-${sub}`;
    identity.on(GetIdCommand).callsFake(async (input) => {
        await gate("GetId");
        const claims = claimsOf(input.Logins[outputs.userPoolProviderName]);
        identities.add(identityIdOf(claims.sub));
        return { IdentityId: identityIdOf(claims.sub) };
    });
    identity.on(GetCredentialsForIdentityCommand).callsFake(async (input) => {
        await gate("GetCredentialsForIdentity");
        const claims = claimsOf(input.Logins[outputs.userPoolProviderName]);
        const groups: string[] = claims["cognito:groups"];
        const role = groups.includes("admin") ? adminRole : groups.includes("user") ? userRole : undefined;
        if (!role) {
            throw Object.assign(new Error("no role"), { name: "InvalidIdentityPoolConfigurationException" });
        }
        const c = issue("identity", `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/CognitoIdentityCredentials`, input.IdentityId);
        return { IdentityId: input.IdentityId, Credentials: { AccessKeyId: c.accessKeyId, SecretKey: c.secret, SessionToken: c.token, Expiration: new Date(Date.now() + 3600_000) } };
    });
    identity.on(DeleteIdentitiesCommand).callsFake(async (input) => {
        await gate("DeleteIdentities");
        for (const id of input.IdentityIdsToDelete) identities.delete(id);
        return { UnprocessedIdentityIds: [] };
    });

    // --- S3 with the identity-scoped policy ----------------------------------------------
    const s3 = mockClient(S3Client);
    const callerOf = (getClient: () => S3Client | STSClient): Promise<Credential | undefined> => {
        const provider = getClient().config.credentials as () => Promise<{ accessKeyId: string }>;
        return provider().then(({ accessKeyId }) => credentials.get(accessKeyId));
    };
    const ownFolder = (c: Credential) => `${outputs.userFilesPrefix}/${c.identityId}/`;
    const mayRead = (c: Credential | undefined, key: string) =>
        !!c && ((c.kind === "identity" && (key.startsWith(ownFolder(c)) || breaks.has("s3-cross-user-read"))) || c.kind === "oidc");
    const mayWrite = (c: Credential | undefined, key: string) =>
        !!c && ((c.kind === "identity" && key.startsWith(ownFolder(c))) || (c.kind === "oidc" && breaks.has("oidc-role-writes")));
    s3.on(GetObjectCommand).callsFake(async (input, getClient) => {
        const who = callerOf(getClient); // before any await: getClient names the current call's client only
        await gate("GetObject");
        if (input.Bucket !== outputs.userFilesBucket || !mayRead(await who, input.Key)) throw denied();
        const content = objects.get(input.Key);
        if (content === undefined) throw new S3ServiceException({ name: "NoSuchKey", $fault: "client", $metadata: { httpStatusCode: 404 }, message: "missing" });
        return { Body: sdkStreamMixin(Readable.from([Buffer.from(content)])), ContentLength: content.length };
    });
    s3.on(PutObjectCommand).callsFake(async (input, getClient) => {
        const who = callerOf(getClient); // before any await: getClient names the current call's client only
        await gate("PutObject");
        if (input.Bucket !== outputs.userFilesBucket || !mayWrite(await who, input.Key)) throw denied();
        objects.set(input.Key, String(input.Body));
        return {};
    });
    s3.on(DeleteObjectCommand).callsFake(async (input, getClient) => {
        const who = callerOf(getClient); // before any await: getClient names the current call's client only
        await gate("DeleteObject");
        if (input.Bucket !== outputs.userFilesBucket || !mayWrite(await who, input.Key)) throw denied();
        objects.delete(input.Key);
        return {};
    });
    s3.on(ListObjectsV2Command).callsFake(async (input, getClient) => {
        const who = callerOf(getClient); // before any await: getClient names the current call's client only
        await gate("ListObjectsV2");
        const c = await who;
        const prefix = input.Prefix ?? "";
        const allowed = !!c && (c.kind === "oidc" || (c.kind === "identity" && prefix.startsWith(ownFolder(c))));
        if (input.Bucket !== outputs.userFilesBucket || !allowed) throw denied();
        const keys = [...objects.keys()].filter((k) => k.startsWith(prefix));
        return { KeyCount: keys.length, Contents: keys.map((Key) => ({ Key })) };
    });

    // --- STS ------------------------------------------------------------------------------
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(async (input) => {
        await gate("AssumeRoleWithWebIdentity");
        const claims = claimsOf(input.WebIdentityToken);
        if (input.RoleArn !== outputs.oidcReaderRoleArn || claims.aud !== outputs.userPoolClientId) throw stsDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
        const c = issue("oidc", `arn:aws:sts::${ACCOUNT}:assumed-role/federated-access-${stage}-oidc-reader/${input.RoleSessionName}`);
        return { Credentials: { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secret, SessionToken: c.token, Expiration: new Date(Date.now() + 900_000) } };
    });
    sts.on(AssumeRoleCommand).callsFake(async (input, getClient) => {
        const who = callerOf(getClient); // before any await: getClient names the current call's client only
        await gate("AssumeRole");
        const caller = await who;
        const trusted = caller?.kind === "caller" && (roleOf(caller.arn) === trustedCaller || breaks.has("other-caller-assumes"));
        if (input.RoleArn !== outputs.stageAccessRoleArn || !trusted) throw stsDenied(`User: ${caller?.arn} is not authorized to perform: sts:AssumeRole`);
        const c = issue("stage", `arn:aws:sts::${ACCOUNT}:assumed-role/${stageRoleName}/${input.RoleSessionName}`);
        return { Credentials: { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secret, SessionToken: c.token, Expiration: new Date(Date.now() + 900_000) } };
    });

    // --- The HTTP API -------------------------------------------------------------------------
    const registry = {
        get(accessKeyId: string) {
            const c = credentials.get(accessKeyId);
            return c ? { secretAccessKey: c.secret, sessionToken: c.token, arn: c.arn } : undefined;
        },
    };
    const realAdmin = createAdminHandler({ accountId: ACCOUNT, adminRoleName: adminRole });
    const api = await startSigV4Server({
        region: REGION,
        credentials: registry,
        acceptUnsigned: () => breaks.has("unsigned-allowed"),
        routes: {
            "GET /read-file": async (event) => {
                const claims = claimsOf(String(event.headers?.idtoken));
                let key = `${outputs.userFilesPrefix}/${identityIdOf(claims.sub)}/data.txt`;
                if (breaks.has("read-file-returns-other-user")) {
                    key = [...objects.keys()].find((k) => k !== key && k.endsWith("/data.txt")) ?? key;
                }
                return jsonResponse(200, { status: "success", data: objects.get(key) });
            },
            "GET /whoami": createWhoamiHandler(),
            "GET /admin": async (event) => (breaks.has("user-role-reaches-admin") ? jsonResponse(200, { status: "success" }) : realAdmin(event)),
        },
        authorize: (callerArn, routeKey) => {
            const role = roleOf(callerArn);
            if (role === stageRoleName) return true;
            if (role === adminRole) return routeKey === "GET /read-file" || routeKey === "GET /admin";
            if (role === userRole) return routeKey === "GET /read-file" || (routeKey === "GET /admin" && breaks.has("user-role-reaches-admin"));
            return false;
        },
    });
    (outputs as { apiEndpoint: string }).apiEndpoint = api.url;

    const clients: SmokeClients = {
        idp: new CognitoIdentityProviderClient({ region: REGION, credentials: { accessKeyId: "AKIAOPERATOR", secretAccessKey: "operator" } }),
        identity: new CognitoIdentityClient({ region: REGION }),
        s3For: (c) => new S3Client({ region: REGION, credentials: c }),
        stsFor: (c) => new STSClient({ region: REGION, credentials: c ?? { accessKeyId: "ANONYMOUS", secretAccessKey: "none" } }),
        apiFor: (c) => createSignedApiClient({ endpoint: api.url, region: REGION, credentials: c }),
    };

    Object.assign(fake, {
        outputs,
        clients,
        breaks,
        users,
        identities,
        objects,
        callerDev: { accessKeyId: callerDevIssued.accessKeyId, secretAccessKey: callerDevIssued.secret, sessionToken: callerDevIssued.token },
        callerProd: { accessKeyId: callerProdIssued.accessKeyId, secretAccessKey: callerProdIssued.secret, sessionToken: callerProdIssued.token },
        api,
        async close() {
            idp.restore();
            identity.restore();
            s3.restore();
            sts.restore();
            await api.close();
        },
    });
    return fake as FakeDeployment;
}
