/**
 * The temporary users of a run: created with a temporary password (no password reset right is
 * needed or held), signed in by answering NEW_PASSWORD_REQUIRED, and removed in the only order
 * that leaves nothing unreachable: the user's folder (with the user's own credentials, the only
 * ones that reach it), then the identity, then the user.
 */
import { randomBytes } from "crypto";

import {
    AdminAddUserToGroupCommand,
    AdminCreateUserCommand,
    AdminDeleteUserCommand,
    AdminInitiateAuthCommand,
    AdminRespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DeleteIdentitiesCommand, GetCredentialsForIdentityCommand, GetIdCommand, UnprocessedIdentityId } from "@aws-sdk/client-cognito-identity";
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity } from "@smithy/types";

import type { Context } from "./context";
import { describeError, errorName, isAuthorizationDenial, isNotAuthorized, isUserNotFound } from "./errors";
import type { RecordedUser, RunRecord } from "./records";
import { StepFailure } from "./steps";

/** Email-style usernames: `smoke+<runId>-<group>@smoke.invalid` (never deliverable). */
export const SMOKE_USER_PREFIX = "smoke+";
export const SMOKE_USER_DOMAIN = "@smoke.invalid";
export const smokeUsername = (runId: string, group: string) => `${SMOKE_USER_PREFIX}${runId}-${group}${SMOKE_USER_DOMAIN}`;

/** 24 random characters plus one of each class the pool's password policy demands. */
export function newPassword(): string {
    return `${randomBytes(18).toString("base64url")}Aa1!`;
}

export interface TestUser extends RecordedUser {
    /** AdminCreateUser was sent (the user may exist even if no answer came). */
    createSent: boolean;
    /** AdminCreateUser got no answer in the end: the user may yet appear. */
    createUncertain: boolean;
    idToken?: string;
    identityId?: string;
    /** Every identity id this user has had (recorded or learned). */
    readonly identityIds: Set<string>;
    credentials?: AwsCredentialIdentity;
    /** Keys written, or about to be, in the user's folder. */
    readonly keys: Set<string>;
    /** Writes given up without an answer: they may still land. */
    readonly unsettled: string[];
}

export function newTestUser(recorded: RecordedUser): TestUser {
    return { ...recorded, createSent: false, createUncertain: false, identityIds: new Set(), keys: new Set(), unsettled: [] };
}

const settlingIdentityPool = (error: unknown) =>
    // The identity pool refuses credentials until its role mapping and the roles' trust are usable.
    errorName(error) === "InvalidIdentityPoolConfigurationException" ? "InvalidIdentityPoolConfigurationException" : undefined;

/** Sign-in refused with every password the record holds: the user is gone, or not ours to enter. */
export class SignInRefused extends StepFailure {}

/** Creates the user and adds it to its group; `record` already names it. */
export async function createUser(ctx: Context, user: TestUser): Promise<void> {
    const { idp } = ctx.clients;
    let abandoned = false;
    user.createSent = true;
    try {
        await ctx.steps.run(
            "AdminCreateUser",
            (signal) =>
                idp.send(
                    new AdminCreateUserCommand({
                        UserPoolId: ctx.out.userPoolId,
                        Username: user.username,
                        MessageAction: "SUPPRESS",
                        TemporaryPassword: user.temporaryPassword,
                        UserAttributes: [
                            { Name: "email", Value: user.username },
                            { Name: "email_verified", Value: "true" },
                        ],
                    }),
                    { abortSignal: signal },
                ),
            { idempotent: true, onAbandoned: () => (abandoned = user.createUncertain = true) },
        );
    } catch (error) {
        // The username carries this run's id: after an attempt that got no answer, "exists"
        // means that attempt landed. Without one, it is someone else's user: never touch it.
        if (!(abandoned && errorName(error) === "UsernameExistsException")) throw error;
    }
    user.createUncertain = false;
    await ctx.steps.run(
        "AdminAddUserToGroup",
        (signal) => idp.send(new AdminAddUserToGroupCommand({ UserPoolId: ctx.out.userPoolId, Username: user.username, GroupName: user.group }), { abortSignal: signal }),
        { idempotent: true },
    );
}

/**
 * Signs in and gets the user's identity-pool credentials. `fresh` tries the temporary password
 * first (a new user), `recorded` the final one (a user of an earlier run).
 */
export async function signIn(ctx: Context, user: TestUser, order: "fresh" | "recorded", record?: RunRecord): Promise<void> {
    user.idToken = await authenticate(ctx, user, order);
    await getCredentials(ctx, user, record);
}

async function getCredentials(ctx: Context, user: TestUser, record?: RunRecord): Promise<void> {
    const logins = { [ctx.out.userPoolProviderName]: user.idToken ?? fail("no IdToken to exchange") };
    const id = await ctx.steps.run(
        "GetId",
        (signal) => ctx.clients.identity.send(new GetIdCommand({ IdentityPoolId: ctx.out.identityPoolId, Logins: logins }), { abortSignal: signal }),
        { idempotent: true, onAbandoned: () => user.unsettled.push("GetId") },
    );
    const identityId = id.IdentityId ?? fail("GetId returned no identity id");
    user.identityId = identityId;
    user.identityIds.add(identityId);
    await record?.append({ kind: "identity", username: user.username, identityId });
    const issued = await ctx.steps.run(
        "GetCredentialsForIdentity",
        (signal) => ctx.clients.identity.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: logins }), { abortSignal: signal }),
        { idempotent: true, settling: settlingIdentityPool },
    );
    const c = issued.Credentials;
    if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken) {
        fail(`no identity-pool credentials for the ${user.group} user`);
    }
    user.credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}

async function authenticate(ctx: Context, user: TestUser, order: "fresh" | "recorded"): Promise<string> {
    const { idp } = ctx.clients;
    const passwords = order === "fresh" ? [user.temporaryPassword, user.password] : [user.password, user.temporaryPassword];
    let refusal: unknown;
    for (const password of passwords) {
        let auth;
        try {
            auth = await ctx.steps.run(
                `sign-in of ${user.username}`,
                (signal) =>
                    idp.send(
                        new AdminInitiateAuthCommand({
                            UserPoolId: ctx.out.userPoolId,
                            ClientId: ctx.out.userPoolClientId,
                            AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
                            AuthParameters: { USERNAME: user.username, PASSWORD: password },
                        }),
                        { abortSignal: signal },
                    ),
                { idempotent: true },
            );
        } catch (error) {
            // With user existence errors prevented, a missing user also answers NotAuthorized.
            if (isNotAuthorized(error) || isUserNotFound(error)) {
                refusal = error;
                continue;
            }
            throw error;
        }
        if (auth.AuthenticationResult?.IdToken) {
            return auth.AuthenticationResult.IdToken;
        }
        if (auth.ChallengeName !== "NEW_PASSWORD_REQUIRED") {
            fail(`sign-in of ${user.username} asks for ${auth.ChallengeName ?? "nothing"}; the smoke checks answer only NEW_PASSWORD_REQUIRED (is MFA set to ON?)`);
        }
        let answered;
        try {
            answered = await ctx.steps.run(
                `new password of ${user.username}`,
                (signal) =>
                    idp.send(
                        new AdminRespondToAuthChallengeCommand({
                            UserPoolId: ctx.out.userPoolId,
                            ClientId: ctx.out.userPoolClientId,
                            ChallengeName: "NEW_PASSWORD_REQUIRED",
                            Session: auth.Session,
                            ChallengeResponses: {
                                // The pool signs in by email alias; the challenge names the user's internal name.
                                USERNAME: auth.ChallengeParameters?.USER_ID_FOR_SRP ?? user.username,
                                NEW_PASSWORD: user.password,
                            },
                        }),
                        { abortSignal: signal },
                    ),
            );
        } catch (error) {
            // The session is single-use: after a lost answer, the final password tells whether it landed.
            if (error instanceof StepFailure && password !== user.password) {
                refusal = error;
                continue;
            }
            throw error;
        }
        if (answered.AuthenticationResult?.IdToken) {
            return answered.AuthenticationResult.IdToken;
        }
        fail(`after the new password, sign-in of ${user.username} asks for ${answered.ChallengeName ?? "nothing"} (is MFA set to ON?)`);
    }
    throw new SignInRefused(`sign-in of ${user.username} refused with both recorded passwords (${describeError(refusal)})`, refusal);
}

/** Writes an object in the user's own folder with the user's own credentials; recorded first. */
export async function writeOwnObject(ctx: Context, user: TestUser, name: string, body: string, record: RunRecord, settle: boolean): Promise<string> {
    const key = ownKey(ctx, user, name);
    user.keys.add(key);
    await record.append({ kind: "object", username: user.username, key });
    await ctx.steps.run(
        `writing ${key}`,
        (signal) => ctx.clients.s3For(user.credentials!).send(new PutObjectCommand({ Bucket: ctx.out.userFilesBucket, Key: key, Body: body }), { abortSignal: signal }),
        {
            idempotent: true,
            onAbandoned: () => user.unsettled.push(key),
            // The first write with a new role's credentials: its policy may not be in effect yet.
            settling: settle ? (error) => (isAuthorizationDenial(error) ? "AccessDenied (role policy not yet in effect)" : undefined) : undefined,
        },
    );
    return key;
}

export const ownFolder = (ctx: Context, identityId: string) => `${ctx.out.userFilesPrefix}/${identityId}/`;
export const ownKey = (ctx: Context, user: TestUser, name = "data.txt") => `${ownFolder(ctx, user.identityId!)}${name}`;

export interface Removal {
    readonly status: "removed" | "failed" | "deferred";
    readonly detail: string;
    /** What was removed, one entry per object, identity, user. */
    readonly removed: string[];
}

/**
 * Removes a user and everything of it. `inRun`: the user of the current run, whose credentials
 * are in hand and whose unanswered writes may still land (then its folder and identity are
 * kept, recorded, for a later run's sweep, which comes long after any write could land).
 */
export async function removeUser(ctx: Context, user: TestUser, inRun: boolean): Promise<Removal> {
    const removed: string[] = [];
    if (inRun && !user.createSent) {
        return { status: "removed", detail: "never created", removed };
    }
    try {
        if (inRun && !user.credentials && user.keys.size === 0 && user.unsettled.length === 0) {
            // It never held credentials this run, so nothing of it can be in any folder.
            removed.push(...(await deleteIdentities(ctx, [...user.identityIds])));
            const existed = await deleteUser(ctx, user.username);
            if (existed) removed.push(`user ${user.username}`);
            if (!existed && user.createUncertain) return notThereYet(user, removed);
            return { status: "removed", detail: "removed", removed };
        }
        if (!user.credentials) {
            try {
                user.idToken = await authenticate(ctx, user, "recorded");
            } catch (error) {
                if (!(error instanceof SignInRefused)) throw error;
                return await removeUnreachable(ctx, user, error, inRun);
            }
            if (groupsOf(user.idToken).length === 0) {
                // In no group, the identity pool gives it no credentials: it never wrote anything.
                removed.push(...(await deleteIdentities(ctx, [...user.identityIds])));
                if (await deleteUser(ctx, user.username)) removed.push(`user ${user.username}`);
                return { status: "removed", detail: "removed (in no group)", removed };
            }
            await getCredentials(ctx, user);
        }
        const folder = ownFolder(ctx, user.identityId!);
        const s3 = ctx.clients.s3For(user.credentials!);
        const failures: string[] = [];
        const keys = new Set([...(await listFolder(ctx, s3, folder)), ...[...user.keys].filter((k) => k.startsWith(folder))]);
        for (const key of keys) {
            try {
                await ctx.steps.run(
                    `deleting ${key}`,
                    (signal) => s3.send(new DeleteObjectCommand({ Bucket: ctx.out.userFilesBucket, Key: key }), { abortSignal: signal }),
                    { idempotent: true },
                );
                removed.push(`object ${key}`);
            } catch (error) {
                failures.push(`${key}: ${explain(error)}`);
            }
        }
        const left = await listFolder(ctx, s3, folder);
        if (failures.length > 0 || left.length > 0) {
            const what = failures.length > 0 ? failures.join("; ") : `still holds ${left.join(", ")}`;
            return { status: "failed", detail: `${user.username}: folder ${folder}: ${what}; identity and user kept so a later run can finish`, removed };
        }
        if (inRun && user.unsettled.length > 0) {
            return {
                status: "deferred",
                detail: `${user.username}: kept with its identity, as recorded, for a later run's sweep: unanswered writes may still land (${user.unsettled.join(", ")})`,
                removed,
            };
        }
        removed.push(...(await deleteIdentities(ctx, [...user.identityIds])));
        await deleteUser(ctx, user.username);
        removed.push(`user ${user.username}`);
        return { status: "removed", detail: "removed", removed };
    } catch (error) {
        return { status: "failed", detail: `${user.username}: ${explain(error)}`, removed };
    }
}

/**
 * Neither recorded password signs the user in: it is gone, or its temporary password expired
 * before it ever signed in. Either way no one can reach its folder through it any more.
 */
async function removeUnreachable(ctx: Context, user: TestUser, refusal: SignInRefused, inRun: boolean): Promise<Removal> {
    const removed = await deleteIdentities(ctx, [...user.identityIds]);
    const existed = await deleteUser(ctx, user.username);
    if (existed) removed.push(`user ${user.username}`);
    if (!existed && inRun && user.createUncertain) return notThereYet(user, removed);
    if (user.keys.size > 0 && existed) {
        const folders = [...user.identityIds].map((id) => ownFolder(ctx, id)).join(", ");
        return { status: "failed", detail: `${refusal.message}; ${folders} may still hold objects only an administrator can remove`, removed };
    }
    return { status: "removed", detail: existed ? "never signed in" : "already gone", removed };
}

/** The groups an IdToken names; the token came straight from the user pool, so it is read, not verified. */
function groupsOf(idToken: string): string[] {
    try {
        const claims = JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString());
        return Array.isArray(claims["cognito:groups"]) ? claims["cognito:groups"] : [];
    } catch {
        return [];
    }
}

const notThereYet = (user: TestUser, removed: string[]): Removal => ({
    status: "deferred",
    detail: `${user.username}: its creation got no answer and it is not there (yet): kept recorded for a later run's sweep`,
    removed,
});

const explain = (error: unknown) => (error instanceof StepFailure ? error.message : describeError(error));

async function listFolder(ctx: Context, s3: ReturnType<Context["clients"]["s3For"]>, folder: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
        const listed = await ctx.steps.run(
            `listing ${folder}`,
            (signal) => s3.send(new ListObjectsV2Command({ Bucket: ctx.out.userFilesBucket, Prefix: folder, ContinuationToken: token }), { abortSignal: signal }),
            { idempotent: true },
        );
        keys.push(...(listed.Contents ?? []).map((o) => o.Key!).filter(Boolean));
        token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (token);
    return keys;
}

class UnprocessedIdentities extends Error {
    constructor(readonly unprocessed: UnprocessedIdentityId[]) {
        super(`UnprocessedIdentityIds: ${unprocessed.map((u) => `${u.IdentityId} (${u.ErrorCode})`).join(", ")}`);
        this.name = "UnprocessedIdentityIds";
    }
}

/** Deletes identities; those AWS reports unprocessed for an internal error are retried. */
export async function deleteIdentities(ctx: Context, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    let pending = ids;
    await ctx.steps.run(
        "DeleteIdentities",
        async (signal) => {
            const out = await ctx.clients.identity.send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: pending }), { abortSignal: signal });
            const unprocessed = out.UnprocessedIdentityIds ?? [];
            if (unprocessed.length > 0) {
                pending = unprocessed.map((u) => u.IdentityId!).filter(Boolean);
                throw new UnprocessedIdentities(unprocessed);
            }
        },
        {
            idempotent: true,
            settling: (error) =>
                error instanceof UnprocessedIdentities && error.unprocessed.every((u) => u.ErrorCode === "InternalServerError")
                    ? "UnprocessedIdentityIds (InternalServerError)"
                    : undefined,
        },
    );
    return ids.map((id) => `identity ${id}`);
}

/** Deletes a user; one that is not there is removed already (a repeat, or another run's sweep). */
async function deleteUser(ctx: Context, username: string): Promise<boolean> {
    try {
        await ctx.steps.run(
            "AdminDeleteUser",
            (signal) => ctx.clients.idp.send(new AdminDeleteUserCommand({ UserPoolId: ctx.out.userPoolId, Username: username }), { abortSignal: signal }),
            { idempotent: true },
        );
        return true;
    } catch (error) {
        if (!isUserNotFound(error)) throw error;
        return false;
    }
}

function fail(message: string): never {
    throw new StepFailure(message);
}
