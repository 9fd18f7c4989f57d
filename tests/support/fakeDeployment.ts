/**
 * A deployed stage, faked: Cognito (user pool and identity pool), S3 and STS answered through
 * aws-sdk-client-mock with the deployment's authorization rules, and the HTTP API served by
 * the SigV4-verifying loopback server.
 *
 * The operator's credentials get exactly the smoke role's rights (invoking the smoke-users
 * broker, the run records prefix of the bucket); the broker, run in process as Lambda would run
 * it, signs as its own role, which alone gets the user pool's six admin actions; anything else
 * is AccessDenied, as IAM would answer (DeleteIdentities included: no one here holds it). It is as unkind as AWS where the smoke
 * run must cope: a user pool that hides whether a user exists from sign-in, UserNotFound on a
 * repeated delete, new identity ids after a deletion, ListUsers that lags behind creations,
 * conditional writes, and hooks to lose responses, delay effects past a client's timeout,
 * fail calls, leave identities unprocessed, and keep a fresh deployment "settling" for a while.
 * Each rule can be broken on purpose (`breaks`) so a test shows the check guarding it fails.
 */
import { randomBytes, randomUUID } from "crypto";

import {
    AdminAddUserToGroupCommand,
    AdminCreateUserCommand,
    AdminDeleteUserCommand,
    AdminInitiateAuthCommand,
    AdminRespondToAuthChallengeCommand,
    CognitoIdentityProviderClient,
    CognitoIdentityProviderServiceException,
    ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
    CognitoIdentityClient,
    CognitoIdentityServiceException,
    GetCredentialsForIdentityCommand,
    GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { sdkStreamMixin } from "@smithy/util-stream";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { Readable } from "stream";

import { createSignedApiClient } from "../../client/apiClient";
import { SMOKE_RECORDS_PREFIX } from "../../components/config/naming";
import { jsonResponse } from "../../lambdas/http";
import { createSmokeUsersHandler } from "../../lambdas/smokeUsers";
import { createAdminHandler, createWhoamiHandler } from "../../lambdas/whoami";
import { runSmoke } from "../../smoke/smoke";
import type { SmokeClients, SmokeOptions, SmokeReport, StackOutputs } from "../../smoke/smoke";
import { SmokeUsersError, smokeUsersClient } from "../../smoke/smokeUsersClient";
import { SigV4Server, SigV4ServerOptions, startSigV4Server } from "./sigv4Server";

export type Break =
    | "read-file-returns-other-user" // check 1
    | "s3-cross-user-read" // check 2
    | "s3-refuses-unauthenticated" // check 2: another's key answered as a failed authentication, not a decision
    | "unsigned-allowed" // check 3
    | "s3-denies-someone-else" // check 2: the denial is of another principal than the credentials used
    | "user-role-reaches-admin" // check 4
    | "user-role-invokes-admin" // check 4: IAM lets the user role in, the handler still refuses
    | "api-signature-refusal" // check 4: the user's /admin answered as a signature mismatch
    | "other-caller-assumes" // check 5
    | "other-caller-credentials-invalid" // check 5: the other caller's credentials work nowhere
    | "other-caller-denied-as-someone-else" // check 5: the refusal names another principal
    | "oidc-role-reads-bucket" // check 6
    | "oidc-role-invokes-read-file" // check 6
    | "oidc-role-no-whoami"; // check 6

export const ACCOUNT = "111122223333";
export const CALLER_ACCOUNT = "210987654321";
const REGION = "ap-northeast-1";
const POOL = `${REGION}_FakePool`;
const POOL_ARN = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${POOL}`;
const TEMPORARY_PASSWORD_DAYS = 3;

type Kind = "identity" | "oidc" | "stage" | "caller" | "operator" | "broker";

interface Credential {
    readonly secret: string;
    readonly token: string;
    readonly arn: string;
    readonly kind: Kind;
    readonly identityId?: string;
}

export interface FakeUser {
    readonly sub: string;
    temporaryPassword?: string;
    password?: string;
    status: "FORCE_CHANGE_PASSWORD" | "CONFIRMED";
    group?: string;
    created: Date;
}

export interface FakeObject {
    readonly body: string;
    lastModified: Date;
}

/** How long after `deployedAt` each part of a fresh deployment still refuses, in ms. */
export interface Settling {
    /** GetCredentialsForIdentity answers InvalidIdentityPoolConfigurationException. */
    identityPool?: number;
    /** AssumeRoleWithWebIdentity answers InvalidIdentityToken (provider unknown to STS). */
    oidcProvider?: number;
    /** New roles' trust and policies: AssumeRole, AssumeRoleWithWebIdentity and S3 answer AccessDenied. */
    roles?: number;
    /** API Gateway answers 403 to every signed request. */
    apiGrants?: number;
}

export interface FakeDeployment {
    readonly outputs: StackOutputs;
    readonly clients: SmokeClients;
    readonly breaks: Set<Break>;
    /** Users by email (the pool signs in by email alias). */
    readonly users: Map<string, FakeUser>;
    readonly identities: Set<string>;
    readonly objects: Map<string, FakeObject>;
    readonly callerDev: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    readonly callerProd: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    readonly operatorArn: string;
    readonly api: SigV4Server;
    /** Every AWS call answered, in order: `<command>`. */
    readonly calls: string[];
    settling: Settling;
    deployedAt: number;
    /**
     * Each part refuses this many calls first, whatever the time: settling the tests can count on
     * however busy the machine (a window in ms may close before a slow run gets to the call).
     */
    settlingCalls: Settling;
    /** ListUsers leaves out users created less than this long ago. @default 1000 */
    listUsersLagMs: number;
    /** Keys per ListObjectsV2 page. @default 1000 */
    listPageSize: number;
    /**
     * Rights taken away (a policy that lacks one): `lambda:InvokeFunction` from the smoke role,
     * `cognito-idp:<action>` from the smoke-users broker's role.
     */
    readonly revoked: Set<string>;
    /** The broker's execution role's session. */
    readonly brokerArn: string;
    /** Lambda's Invoke of the broker, signed with other credentials (a test's own). */
    invokeBrokerAs(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): (payload: string, signal: AbortSignal) => Promise<string>;
    /** The stage role demands this ExternalId. @default none */
    externalId?: string;
    /** The identity pool's clock: identity credentials expire an hour after it. @default Date.now */
    clock: () => number;
    /** Runs before a call takes effect: may wait (the effect lands late) or throw (the call fails). */
    beforeCall?: (command: string, input: any) => void | Promise<void>;
    /** Runs after a call took effect, before it answers: may wait (the answer is lost) or throw. */
    afterCall?: (command: string, input: any) => void | Promise<void>;
    /** Makes everything that exists look `ms` older (records, users): what a later run would see. */
    age(ms: number): void;
    /** Smoke users, all objects (records included) and identities a login still reaches (of a user still there). */
    leftovers(): { users: string[]; objects: string[]; identities: string[] };
    close(): Promise<void>;
}

const s3Error = (name: string, status: number, message: string) => new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message });
const stsError = (name: string, status: number, message: string) => new STSServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message });
const idpError = (name: string, message: string) => new CognitoIdentityProviderServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400 }, message });
const identityError = (name: string, message: string) => new CognitoIdentityServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400 }, message });

const notAuthorizedToPerform = (arn: string, action: string, resource: string) =>
    `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

function token(claims: Record<string, unknown>): string {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    return `${part({ alg: "RS256", kid: "fake" })}.${part(claims)}.c2lnbmF0dXJl`;
}
const claimsOf = (idToken: string) => JSON.parse(Buffer.from(String(idToken).split(".")[1] ?? "", "base64url").toString() || "{}");

const meetsPolicy = (password: string | undefined) =>
    !!password && password.length >= 14 && /[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password) && /[^A-Za-z0-9]/.test(password);

type Stage = "deve" | "stag" | "prod";
/** The signer of a call, authenticated as the call starts (see `callerOf`). */
type Caller = Promise<Credential | Error | undefined>;
type Issued = Credential & { readonly accessKeyId: string };
type PresentedCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
type SdkClient = { config: { credentials?: unknown } };

/** What the fakes of one deployment share: its names, what exists in it, and the knobs on `fake`. */
interface State {
    readonly outputs: StackOutputs;
    /** The deployment handed to tests, filled in as its parts start; the fakes read its knobs live. */
    readonly fake: FakeDeployment;
    readonly stageRoleName: string;
    readonly oidcRoleName: string;
    /** The caller role the stage role trusts. */
    readonly trustedCaller: string;
    readonly userRole: string;
    readonly adminRole: string;
    readonly brokerFunction: string;
    readonly users: Map<string, FakeUser>;
    readonly identities: Set<string>;
    readonly identityOfSub: Map<string, string>;
    readonly objects: Map<string, FakeObject>;
    /** Credentials AWS knows, by access key id. */
    readonly credentials: Map<string, Credential>;
    /** Sign-in sessions awaiting NEW_PASSWORD_REQUIRED, by session: the user's email. */
    readonly sessions: Map<string, string>;
    readonly breaks: Set<Break>;
    readonly calls: string[];
    /** Numbers access keys and user subs, in the order they are made. */
    serial: number;
    readonly callerDev: Issued;
    readonly callerProd: Issued;
    readonly operator: Issued;
    readonly broker: Issued;
}

function issue(state: Pick<State, "credentials" | "serial">, kind: Kind, arn: string, identityId?: string): Issued {
    const accessKeyId = `ASIA${kind.toUpperCase()}${++state.serial}`;
    const credential = { secret: `secret-${state.serial}`, token: `token-${state.serial}`, arn, kind, identityId };
    state.credentials.set(accessKeyId, credential);
    return { accessKeyId, ...credential };
}

const asSdkCredentials = (issued: Issued) => ({ accessKeyId: issued.accessKeyId, secretAccessKey: issued.secret, sessionToken: issued.token });
const roleOf = (arn: string) => arn.split("/")[1];

/** The stage's names and outputs, its empty stores, and the four principals that exist from the start. */
function newState(stage: Stage): State {
    const roleSuffix = stage[0].toUpperCase() + stage.slice(1);
    const stageRoleName = `ApiAllowByIamRole${roleSuffix}`;
    const oidcRoleName = `federated-access-${stage}-oidc`;
    const brokerFunction = `federated-access-${stage}-smoke-users`;
    const keys = { credentials: new Map<string, Credential>(), serial: 0 };
    const callerDev = issue(keys, "caller", `arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/LambdaRoleDeve/caller`);
    const callerProd = issue(keys, "caller", `arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/LambdaRoleProd/caller`);
    const operator = issue(keys, "operator", `arn:aws:sts::${ACCOUNT}:assumed-role/federated-access-${stage}-ci-smoke/smoke`);
    const broker = issue(keys, "broker", `arn:aws:sts::${ACCOUNT}:assumed-role/${brokerFunction}-fn/${brokerFunction}`);
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
        oidcRoleArn: `arn:aws:iam::${ACCOUNT}:role/federated-access/${stage}/${oidcRoleName}`,
        smokeUsersFunctionName: brokerFunction,
    };
    const fake = {
        settling: {} as Settling,
        settlingCalls: {} as Settling,
        deployedAt: Date.now(),
        clock: Date.now,
        listUsersLagMs: 1000,
        listPageSize: 1000,
        revoked: new Set<string>(),
    } as FakeDeployment;
    return Object.assign(keys, {
        outputs,
        fake,
        stageRoleName,
        oidcRoleName,
        trustedCaller: stage === "prod" ? "LambdaRoleProd" : "LambdaRoleDeve",
        userRole: `federated-access-${stage}-user-identity`,
        adminRole: `federated-access-${stage}-admin-identity`,
        brokerFunction,
        users: new Map<string, FakeUser>(),
        identities: new Set<string>(),
        identityOfSub: new Map<string, string>(),
        objects: new Map<string, FakeObject>(),
        sessions: new Map<string, string>(),
        breaks: new Set<Break>(),
        calls: [] as string[],
        callerDev,
        callerProd,
        operator,
        broker,
    });
}

/** Whether `part` of the deployment still refuses: counted calls first, then the time window. */
function settlingFor({ fake }: State, part: keyof Settling): boolean {
    const left = fake.settlingCalls[part] ?? 0;
    if (left > 0) {
        fake.settlingCalls[part] = left - 1;
        return true;
    }
    return Date.now() - fake.deployedAt < (fake.settling[part] ?? 0);
}

/** Wraps a fake's effect with the hooks and the call log. */
const answered =
    <I, O>(state: State, command: string, effect: (input: I, caller: Caller) => Promise<O>) =>
    async (input: I, getClient: () => SdkClient) => {
        // getClient names the current call's client only until the first await.
        const caller = callerOf(state, getClient());
        state.calls.push(command);
        await state.fake.beforeCall?.(command, input);
        const output = await effect(input, caller);
        await state.fake.afterCall?.(command, input);
        return output;
    };

/** The signer of a call, as AWS would authenticate it: known key, matching secret and token. */
async function callerOf(state: State, client: SdkClient): Promise<Credential | Error | undefined> {
    const provider = client.config.credentials as (() => Promise<PresentedCredentials>) | undefined;
    if (!provider) return undefined;
    let presented;
    try {
        presented = await provider();
    } catch (error) {
        return error as Error;
    }
    const known = state.credentials.get(presented.accessKeyId);
    if (!known) return Object.assign(new Error("The security token included in the request is invalid."), { name: "InvalidClientTokenId" });
    if (known.secret !== presented.secretAccessKey || known.token !== presented.sessionToken) {
        return Object.assign(new Error("The request signature we calculated does not match the signature you provided."), { name: "SignatureDoesNotMatch" });
    }
    return known;
}

// --- Cognito user pool: only the broker's six actions, on this pool -----------------------------

/** Only the broker's role administers the pool: the smoke role's own credentials are refused. */
async function requirePoolAdmin(state: State, caller: Caller, action: string, resource: string, allowed: boolean): Promise<void> {
    const c = await caller;
    if (c instanceof Error || !c) throw idpError(c?.name ?? "UnrecognizedClientException", c?.message ?? "missing credentials");
    if (c.kind !== "broker" || !allowed || state.fake.revoked.has(action)) throw idpError("AccessDeniedException", notAuthorizedToPerform(c.arn, action, resource));
}

const inPool = (input: { UserPoolId?: string }) => input.UserPoolId === POOL;
const userBy = ({ users }: State, name: string) => [...users.entries()].find(([email, u]) => email === name || u.sub === name);
const issueIdToken = ({ outputs }: State, email: string, user: FakeUser) =>
    token({ sub: user.sub, aud: outputs.userPoolClientId, token_use: "id", email, "cognito:groups": user.group ? [user.group] : [] });

function fakeUserPool(state: State): AwsClientStub<CognitoIdentityProviderClient> {
    const idp = mockClient(CognitoIdentityProviderClient);
    idp.onAnyCommand().callsFake(async (_input, getClient) => {
        const c = await callerOf(state, getClient());
        throw idpError("AccessDeniedException", notAuthorizedToPerform(c instanceof Error || !c ? "anonymous" : c.arn, "cognito-idp:<this action>", POOL_ARN));
    });
    fakeUserCreation(state, idp);
    fakeSignIn(state, idp);
    fakeUserListingAndDeletion(state, idp);
    return idp;
}

/** AdminCreateUser (never inviting) and AdminAddUserToGroup. */
function fakeUserCreation(state: State, idp: AwsClientStub<CognitoIdentityProviderClient>): void {
    idp.on(AdminCreateUserCommand).callsFake(
        answered(state, "AdminCreateUser", async (input: any, caller) => {
            await requirePoolAdmin(state, caller, "cognito-idp:AdminCreateUser", POOL_ARN, inPool(input));
            if (input.MessageAction !== "SUPPRESS") throw new Error("fake: the smoke checks must never send an invitation");
            if (userBy(state, input.Username)) throw idpError("UsernameExistsException", "An account with the given email already exists.");
            if (!meetsPolicy(input.TemporaryPassword)) throw idpError("InvalidPasswordException", "Password does not conform to policy");
            state.users.set(input.Username, { sub: `sub-${++state.serial}`, temporaryPassword: input.TemporaryPassword, status: "FORCE_CHANGE_PASSWORD", created: new Date() });
            return { User: { Username: state.users.get(input.Username)!.sub, UserStatus: "FORCE_CHANGE_PASSWORD" } };
        }),
    );
    idp.on(AdminAddUserToGroupCommand).callsFake(
        answered(state, "AdminAddUserToGroup", async (input: any, caller) => {
            await requirePoolAdmin(state, caller, "cognito-idp:AdminAddUserToGroup", POOL_ARN, inPool(input));
            const found = userBy(state, input.Username) ?? throwing(idpError("UserNotFoundException", "User does not exist."));
            if (!["user", "admin"].includes(input.GroupName)) throw idpError("ResourceNotFoundException", "Group not found.");
            found[1].group = input.GroupName;
            return {};
        }),
    );
}

/** AdminInitiateAuth and the NEW_PASSWORD_REQUIRED challenge a temporary password leads to. */
function fakeSignIn(state: State, idp: AwsClientStub<CognitoIdentityProviderClient>): void {
    idp.on(AdminInitiateAuthCommand).callsFake(
        answered(state, "AdminInitiateAuth", async (input: any, caller) => {
            await requirePoolAdmin(state, caller, "cognito-idp:AdminInitiateAuth", POOL_ARN, inPool(input));
            if (input.ClientId !== state.outputs.userPoolClientId || input.AuthFlow !== "ADMIN_USER_PASSWORD_AUTH") throw idpError("InvalidParameterException", "bad client or flow");
            const found = userBy(state, input.AuthParameters?.USERNAME);
            // User existence errors are prevented: a missing user looks like a wrong password.
            const refused = idpError("NotAuthorizedException", "Incorrect username or password.");
            if (!found) throw refused;
            const [email, user] = found;
            const password = input.AuthParameters?.PASSWORD;
            if (user.status === "FORCE_CHANGE_PASSWORD" && password === user.temporaryPassword) {
                if (Date.now() - user.created.getTime() > TEMPORARY_PASSWORD_DAYS * 86_400_000) {
                    throw idpError("NotAuthorizedException", "Temporary password has expired and must be reset by an administrator.");
                }
                const session = randomBytes(12).toString("hex");
                state.sessions.set(session, email);
                return { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: session, ChallengeParameters: { USER_ID_FOR_SRP: user.sub, requiredAttributes: "[]" } };
            }
            if (user.status === "CONFIRMED" && password === user.password) return { AuthenticationResult: { IdToken: issueIdToken(state, email, user) } };
            throw refused;
        }),
    );
    idp.on(AdminRespondToAuthChallengeCommand).callsFake(
        answered(state, "AdminRespondToAuthChallenge", async (input: any, caller) => {
            await requirePoolAdmin(state, caller, "cognito-idp:AdminRespondToAuthChallenge", POOL_ARN, inPool(input));
            const email = state.sessions.get(input.Session);
            state.sessions.delete(input.Session); // single use
            const found = email ? userBy(state, email) : undefined;
            if (!found || input.ChallengeName !== "NEW_PASSWORD_REQUIRED" || ![found[0], found[1].sub].includes(input.ChallengeResponses?.USERNAME)) {
                throw idpError("NotAuthorizedException", "Invalid session for the user.");
            }
            const newPassword = input.ChallengeResponses?.NEW_PASSWORD;
            if (!meetsPolicy(newPassword) || newPassword === found[1].temporaryPassword) throw idpError("InvalidPasswordException", "Password does not conform to policy");
            Object.assign(found[1], { status: "CONFIRMED", password: newPassword, temporaryPassword: undefined });
            return { AuthenticationResult: { IdToken: issueIdToken(state, found[0], found[1]) } };
        }),
    );
}

/** ListUsers (lagging behind creations) and AdminDeleteUser (UserNotFound on a repeat). */
function fakeUserListingAndDeletion(state: State, idp: AwsClientStub<CognitoIdentityProviderClient>): void {
    idp.on(ListUsersCommand).callsFake(
        answered(state, "ListUsers", async (input: any, caller) => {
            await requirePoolAdmin(state, caller, "cognito-idp:ListUsers", POOL_ARN, inPool(input));
            const m = /^email (\^?=) "((?:[^"\\]|\\.)*)"$/.exec(input.Filter ?? "");
            const matches = (email: string) => !m || (m[1] === "=" ? email === m[2] : email.startsWith(m[2]));
            return {
                Users: [...state.users.entries()]
                    .filter(([email, u]) => matches(email) && Date.now() - u.created.getTime() >= state.fake.listUsersLagMs)
                    .slice(0, input.Limit ?? 60)
                    .map(([email, u]) => ({ Username: u.sub, UserCreateDate: u.created, UserStatus: u.status, Attributes: [{ Name: "email", Value: email }] })),
            };
        }),
    );
    idp.on(AdminDeleteUserCommand).callsFake(
        answered(state, "AdminDeleteUser", async (input: any, caller) => {
            await requirePoolAdmin(state, caller, "cognito-idp:AdminDeleteUser", POOL_ARN, inPool(input));
            const found = userBy(state, input.Username) ?? throwing(idpError("UserNotFoundException", "User does not exist."));
            state.users.delete(found[0]);
            return {};
        }),
    );
}

// --- Cognito identity pool -------------------------------------------------------------------

/** The user a login token names, if the pool issued it to this client and the user is still there. */
function verifiedSub({ outputs, users }: State, logins: Record<string, string> | undefined): { sub: string; groups: string[] } {
    const claims = claimsOf(logins?.[outputs.userPoolProviderName] ?? "");
    const user = [...users.values()].find((u) => u.sub === claims.sub);
    if (!user || claims.aud !== outputs.userPoolClientId) throw identityError("NotAuthorizedException", "Invalid login token.");
    return { sub: claims.sub as string, groups: (claims["cognito:groups"] ?? []) as string[] };
}

function fakeIdentityPool(state: State): AwsClientStub<CognitoIdentityClient> {
    const { outputs, identities, identityOfSub } = state;
    const identity = mockClient(CognitoIdentityClient);
    identity.onAnyCommand().callsFake(async () => {
        throw identityError("AccessDeniedException", "not authorized to perform this action");
    });
    identity.on(GetIdCommand).callsFake(
        answered(state, "GetId", async (input: any) => {
            if (input.IdentityPoolId !== outputs.identityPoolId) throw identityError("ResourceNotFoundException", "IdentityPool not found");
            const { sub } = verifiedSub(state, input.Logins);
            let id = identityOfSub.get(sub);
            if (!id || !identities.has(id)) {
                // A deleted identity is not revived: the same login gets a new id.
                id = `${REGION}:${randomUUID()}`; // identity ids are <region>:<UUID>
                identityOfSub.set(sub, id);
                identities.add(id);
            }
            return { IdentityId: id };
        }),
    );
    identity.on(GetCredentialsForIdentityCommand).callsFake(
        answered(state, "GetCredentialsForIdentity", async (input: any) => {
            const { sub, groups } = verifiedSub(state, input.Logins);
            if (identityOfSub.get(sub) !== input.IdentityId || !identities.has(input.IdentityId)) throw identityError("NotAuthorizedException", "Invalid identity");
            if (settlingFor(state, "identityPool")) throw identityError("InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool.");
            const role = groups.includes("admin") ? state.adminRole : groups.includes("user") ? state.userRole : undefined;
            if (!role) throw identityError("NotAuthorizedException", "No role matches the rules of this identity pool.");
            const c = issue(state, "identity", `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/CognitoIdentityCredentials`, input.IdentityId);
            return { IdentityId: input.IdentityId, Credentials: { AccessKeyId: c.accessKeyId, SecretKey: c.secret, SessionToken: c.token, Expiration: new Date(state.fake.clock() + 3600_000) } };
        }),
    );
    return identity;
}

// --- S3: identities in their own folder, the operator in the records prefix ----------------------

const ownFolder = ({ outputs }: State, c: Credential) => `${outputs.userFilesPrefix}/${c.identityId}/`;
type S3Action = "GetObject" | "PutObject" | "DeleteObject" | "ListBucket";

/** undefined: allowed; otherwise the error S3 answers. */
async function s3Refusal(state: State, caller: Caller, action: S3Action, bucket: string, keyOrPrefix: string): Promise<Error | undefined> {
    const { breaks, outputs } = state;
    const c = await caller;
    if (c instanceof Error || !c) return s3Error(c?.name === "SignatureDoesNotMatch" ? "SignatureDoesNotMatch" : "InvalidAccessKeyId", 403, c?.message ?? "anonymous");
    const resource = action === "ListBucket" ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${keyOrPrefix}`;
    const named = breaks.has("s3-denies-someone-else") && c.kind === "identity" ? state.operator.arn : c.arn;
    const denied = s3Error("AccessDenied", 403, notAuthorizedToPerform(named, `s3:${action}`, `"${resource}"`));
    if (bucket !== outputs.userFilesBucket) return denied;
    if (c.kind === "operator") return keyOrPrefix.startsWith(SMOKE_RECORDS_PREFIX) ? undefined : denied;
    if (c.kind === "identity") {
        if (settlingFor(state, "roles")) return denied;
        if (keyOrPrefix.startsWith(ownFolder(state, c))) return undefined;
        if (action === "GetObject" && breaks.has("s3-cross-user-read")) return undefined;
        if (breaks.has("s3-refuses-unauthenticated") && action !== "ListBucket") {
            return s3Error("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided.");
        }
        return denied;
    }
    if (c.kind === "oidc" && action === "GetObject" && breaks.has("oidc-role-reads-bucket")) return undefined;
    return denied;
}

function fakeS3(state: State): AwsClientStub<S3Client> {
    const { objects } = state;
    const s3 = mockClient(S3Client);
    s3.onAnyCommand().callsFake(async () => {
        throw s3Error("AccessDenied", 403, "Access Denied");
    });
    s3.on(GetObjectCommand).callsFake(
        answered(state, "GetObject", async (input: any, caller) => {
            const refusal = await s3Refusal(state, caller, "GetObject", input.Bucket, input.Key);
            if (refusal) throw refusal;
            const object = objects.get(input.Key) ?? throwing(s3Error("NoSuchKey", 404, "The specified key does not exist."));
            return { Body: sdkStreamMixin(Readable.from([Buffer.from(object.body)])), ContentLength: object.body.length, LastModified: object.lastModified };
        }),
    );
    s3.on(PutObjectCommand).callsFake(
        answered(state, "PutObject", async (input: any, caller) => {
            const refusal = await s3Refusal(state, caller, "PutObject", input.Bucket, input.Key);
            if (refusal) throw refusal;
            if (input.IfNoneMatch === "*" && objects.has(input.Key)) throw s3Error("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold");
            objects.set(input.Key, { body: String(input.Body), lastModified: new Date() });
            return {};
        }),
    );
    s3.on(DeleteObjectCommand).callsFake(
        answered(state, "DeleteObject", async (input: any, caller) => {
            const refusal = await s3Refusal(state, caller, "DeleteObject", input.Bucket, input.Key);
            if (refusal) throw refusal;
            objects.delete(input.Key); // absent or not, S3 answers 204
            return {};
        }),
    );
    s3.on(ListObjectsV2Command).callsFake(
        answered(state, "ListObjectsV2", async (input: any, caller) => {
            const prefix = input.Prefix ?? "";
            const refusal = await s3Refusal(state, caller, "ListBucket", input.Bucket, prefix);
            if (refusal) throw refusal;
            const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
            const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
            const page = keys.slice(start, start + state.fake.listPageSize);
            const more = start + page.length < keys.length;
            return {
                KeyCount: page.length,
                Contents: page.map((Key) => ({ Key, LastModified: objects.get(Key)!.lastModified })),
                IsTruncated: more,
                NextContinuationToken: more ? String(start + page.length) : undefined,
            };
        }),
    );
    return s3;
}

// --- STS -----------------------------------------------------------------------------------------

function fakeSts(state: State): AwsClientStub<STSClient> {
    const { outputs, breaks, fake } = state;
    const sts = mockClient(STSClient);
    sts.onAnyCommand().callsFake(async () => {
        throw stsError("AccessDenied", 403, "not authorized");
    });
    sts.on(GetCallerIdentityCommand).callsFake(
        answered(state, "GetCallerIdentity", async (_input: any, caller) => {
            const c = await caller;
            if (c instanceof Error || !c) throw stsError(c?.name ?? "MissingAuthenticationToken", 403, c?.message ?? "missing credentials");
            return { Arn: c.arn, Account: c.arn.split(":")[4], UserId: `AROA:${c.arn.split("/").pop()}` };
        }),
    );
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(
        answered(state, "AssumeRoleWithWebIdentity", async (input: any) => {
            const claims = claimsOf(input.WebIdentityToken);
            if (settlingFor(state, "oidcProvider")) throw stsError("InvalidIdentityToken", 400, `No OpenIDConnect provider found in your account for https://${outputs.userPoolProviderName}`);
            if (settlingFor(state, "roles") || input.RoleArn !== outputs.oidcRoleArn || claims.aud !== outputs.userPoolClientId) {
                throw stsError("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity");
            }
            const c = issue(state, "oidc", `arn:aws:sts::${ACCOUNT}:assumed-role/${state.oidcRoleName}/${input.RoleSessionName}`);
            return { Credentials: { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secret, SessionToken: c.token, Expiration: new Date(Date.now() + 900_000) } };
        }),
    );
    sts.on(AssumeRoleCommand).callsFake(
        answered(state, "AssumeRole", async (input: any, caller) => {
            const c = await caller;
            if (c instanceof Error || !c) throw stsError(c?.name ?? "MissingAuthenticationToken", 403, c?.message ?? "missing credentials");
            const trusted = c.kind === "caller" && (roleOf(c.arn) === state.trustedCaller || breaks.has("other-caller-assumes"));
            const externalIdOk = fake.externalId === undefined || input.ExternalId === fake.externalId;
            if (input.RoleArn !== outputs.stageAccessRoleArn || !trusted || !externalIdOk || settlingFor(state, "roles")) {
                const named = breaks.has("other-caller-denied-as-someone-else") ? state.callerDev.arn : c.arn;
                throw stsError("AccessDenied", 403, `User: ${named} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`);
            }
            const issued = issue(state, "stage", `arn:aws:sts::${ACCOUNT}:assumed-role/${state.stageRoleName}/${input.RoleSessionName}`);
            return { Credentials: { AccessKeyId: issued.accessKeyId, SecretAccessKey: issued.secret, SessionToken: issued.token, Expiration: new Date(Date.now() + 900_000) } };
        }),
    );
    return sts;
}

// --- The HTTP API --------------------------------------------------------------------------------

/** The API's routes: the real whoami and admin handlers, and read-file reading the caller's own file. */
function apiRoutes(state: State): SigV4ServerOptions["routes"] {
    const { outputs, breaks, objects } = state;
    const realAdmin = createAdminHandler({ accountId: ACCOUNT, adminRoleName: state.adminRole });
    return {
        "GET /read-file": async (event) => {
            const claims = claimsOf(String(event.headers?.idtoken));
            let key = `${outputs.userFilesPrefix}/${state.identityOfSub.get(claims.sub)}/data.txt`;
            if (breaks.has("read-file-returns-other-user")) {
                key = [...objects.keys()].find((k) => k !== key && k.endsWith("/data.txt") && k.startsWith(outputs.userFilesPrefix)) ?? key;
            }
            return jsonResponse(200, { status: "success", data: objects.get(key)?.body });
        },
        "GET /whoami": createWhoamiHandler(),
        "GET /admin": async (event) => (breaks.has("user-role-reaches-admin") ? jsonResponse(200, { status: "success" }) : realAdmin(event)),
    };
}

/** execute-api:Invoke, by role: the stage role everywhere, identities on read-file (admins on /admin too), the OIDC role on whoami. */
function apiAuthorize(state: State): NonNullable<SigV4ServerOptions["authorize"]> {
    const { breaks, userRole, adminRole } = state;
    return (callerArn, routeKey) => {
        if (settlingFor(state, "apiGrants")) return false;
        const role = roleOf(callerArn);
        if (role === userRole && routeKey === "GET /admin" && breaks.has("api-signature-refusal")) {
            return "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.";
        }
        if (role === state.stageRoleName) return true;
        if (role === adminRole) return routeKey === "GET /read-file" || routeKey === "GET /admin";
        if (role === userRole) {
            return routeKey === "GET /read-file" || (routeKey === "GET /admin" && (breaks.has("user-role-reaches-admin") || breaks.has("user-role-invokes-admin")));
        }
        if (role === state.oidcRoleName) {
            return (routeKey === "GET /whoami" && !breaks.has("oidc-role-no-whoami")) || (routeKey === "GET /read-file" && breaks.has("oidc-role-invokes-read-file"));
        }
        return false;
    };
}

async function startFakeApi(state: State): Promise<SigV4Server> {
    const registry = {
        get(accessKeyId: string) {
            const c = state.credentials.get(accessKeyId);
            return c ? { secretAccessKey: c.secret, sessionToken: c.token, arn: c.arn } : undefined;
        },
    };
    const api = await startSigV4Server({
        region: REGION,
        credentials: registry,
        acceptUnsigned: () => state.breaks.has("unsigned-allowed"),
        routes: apiRoutes(state),
        authorize: apiAuthorize(state),
    });
    (state.outputs as { apiEndpoint: string }).apiEndpoint = api.url;
    return api;
}

// --- Lambda: the smoke-users broker --------------------------------------------------------------

/** Lambda's Invoke of the broker: lambda:InvokeFunction for the smoke role only, on this function only. */
function brokerInvoker(state: State): FakeDeployment["invokeBrokerAs"] {
    // The broker as Lambda runs it: its handler, signing as its own role.
    const brokerHandler = createSmokeUsersHandler(
        { userPoolId: POOL, clientId: state.outputs.userPoolClientId },
        {
            idp: new CognitoIdentityProviderClient({ region: REGION, credentials: asSdkCredentials(state.broker) }),
            log: () => undefined,
        },
    );
    return (credentials: PresentedCredentials) => async (payload: string, signal: AbortSignal) => {
        const c = await callerOf(state, { config: { credentials: async () => credentials } });
        if (c instanceof Error || !c) throw new SmokeUsersError(c?.name ?? "UnrecognizedClientException", c?.message ?? "missing credentials", 403);
        state.calls.push("Invoke");
        const functionArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${state.brokerFunction}`;
        if (c.kind !== "operator" || state.fake.revoked.has("lambda:InvokeFunction")) {
            throw new SmokeUsersError("AccessDeniedException", notAuthorizedToPerform(c.arn, "lambda:InvokeFunction", functionArn), 403);
        }
        if (signal.aborted) throw Object.assign(new Error("aborted"), { name: "AbortError" });
        // A caller that gives up does not stop the function: the broker's calls land or not, as in Lambda.
        const answer = brokerHandler(JSON.parse(payload)).then((response) => JSON.stringify(response));
        return await new Promise<string>((resolve, reject) => {
            const onAbort = () => reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
            signal.addEventListener("abort", onAbort, { once: true });
            answer.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
        });
    };
}

export async function startFakeDeployment(stage: Stage = "deve"): Promise<FakeDeployment> {
    const state = newState(stage);
    const { fake, users, objects, identities, identityOfSub, breaks } = state;
    const idp = fakeUserPool(state);
    const identity = fakeIdentityPool(state);
    const s3 = fakeS3(state);
    const sts = fakeSts(state);
    const api = await startFakeApi(state);

    const operatorCredentials = asSdkCredentials(state.operator);
    const invokeBroker = brokerInvoker(state);
    const clients: SmokeClients = {
        users: smokeUsersClient(invokeBroker(operatorCredentials)),
        identity: new CognitoIdentityClient({ region: REGION }),
        records: new S3Client({ region: REGION, credentials: operatorCredentials }),
        s3For: (c) => new S3Client({ region: REGION, credentials: c }),
        stsFor: (c) => new STSClient({ region: REGION, credentials: c ?? { accessKeyId: "ANONYMOUS", secretAccessKey: "none" } }),
        apiFor: (c) => createSignedApiClient({ endpoint: api.url, region: REGION, credentials: c }),
    };
    const callerProd = asSdkCredentials(state.callerProd);

    Object.assign(fake, {
        outputs: state.outputs,
        clients,
        breaks,
        users,
        identities,
        objects,
        calls: state.calls,
        operatorArn: state.operator.arn,
        brokerArn: state.broker.arn,
        invokeBrokerAs: invokeBroker,
        callerDev: asSdkCredentials(state.callerDev),
        api,
        age(ms: number) {
            for (const u of users.values()) u.created = new Date(u.created.getTime() - ms);
            for (const o of objects.values()) o.lastModified = new Date(o.lastModified.getTime() - ms);
        },
        leftovers() {
            return {
                users: [...users.keys()].filter((u) => u.startsWith("smoke+")),
                objects: [...objects.keys()],
                identities: [...identities].filter((id) => [...users.values()].some((u) => identityOfSub.get(u.sub) === id)),
            };
        },
        async close() {
            idp.restore();
            identity.restore();
            s3.restore();
            sts.restore();
            await api.close();
        },
    });
    Object.defineProperty(fake, "callerProd", {
        get: () => (breaks.has("other-caller-credentials-invalid") ? { ...callerProd, secretAccessKey: "not-the-secret" } : callerProd),
    });
    return fake;
}

function throwing(error: Error): never {
    throw error;
}

/** Short enough for tests, long enough that a loaded machine does not time a fake call out. */
export const FAST = { attemptTimeoutMs: 2000, settleBudgetMs: 1500, backoffBaseMs: 5, backoffMaxMs: 40 };

/** A smoke run against the fake, with both callers and test pacing unless overridden. */
export const smokeAgainst =
    (fake: () => FakeDeployment) =>
    (options: Partial<SmokeOptions> = {}): Promise<SmokeReport> =>
        runSmoke(
            {
                outputs: fake().outputs,
                caller: async () => fake().callerDev,
                otherCaller: async () => fake().callerProd,
                ...options,
                timing: { ...FAST, ...options.timing },
            },
            fake().clients,
        );

export const statusOf = (report: SmokeReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
export const NOTHING_LEFT = { users: [], objects: [], identities: [] };
