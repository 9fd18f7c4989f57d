/**
 * The temporary users of a run: created with a temporary password, signed in by answering
 * NEW_PASSWORD_REQUIRED, and removed in the only order that leaves nothing unreachable: the
 * user's folder (with the user's own credentials, the only ones that reach it), then the user.
 * Every user pool call goes through the stage's smoke-users broker, which serves this run's
 * `smoke+<runId>-…` users and no one else. Identities are not deleted: no one of CI may delete
 * an identity (that strands its user's folder); a deleted user's identity, its folder emptied,
 * is left with no login that reaches it.
 */
import { randomBytes } from "crypto";

import { GetCredentialsForIdentityCommand, GetIdCommand } from "@aws-sdk/client-cognito-identity";
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity } from "@smithy/types";

import { USER_FILE_NAME } from "../lambdas/contract";
import { SMOKE_USER_DOMAIN, SMOKE_USER_PREFIX, smokeUsername } from "../lambdas/smokeUsers";
import type { SmokeUsersRequest } from "../lambdas/smokeUsers";
import type { Context } from "./context";
import { describeError, errorName, isAuthorizationDenial, isNotAuthorized, isUserNotFound } from "./errors";
import type { RecordedUser, RunRecord } from "./records";
import { StepFailure } from "./steps";

export { SMOKE_USER_DOMAIN, SMOKE_USER_PREFIX, smokeUsername };

/** The run id a user's name carries: `smoke+<runId>-<group>@smoke.invalid`. */
const runIdOf = (user: RecordedUser) => user.username.slice(SMOKE_USER_PREFIX.length, user.username.length - `-${user.group}${SMOKE_USER_DOMAIN}`.length);

/** One request to the broker about `user`, as a step's work. */
const broker = (ctx: Context, request: SmokeUsersRequest) => (signal: AbortSignal) => ctx.clients.users.call(request, { abortSignal: signal });

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
    const runId = runIdOf(user);
    let abandoned = false;
    user.createSent = true;
    try {
        await ctx.steps.run("AdminCreateUser", broker(ctx, { op: "createUser", runId, username: user.username, temporaryPassword: user.temporaryPassword }), {
            idempotent: true,
            onAbandoned: () => (abandoned = user.createUncertain = true),
        });
    } catch (error) {
        // The username carries this run's id: after an attempt that got no answer, "exists"
        // means that attempt landed. Without one, it is someone else's user: never touch it.
        if (!(abandoned && errorName(error) === "UsernameExistsException")) throw error;
    }
    user.createUncertain = false;
    // The broker adds the user to the group its name says.
    await ctx.steps.run("AdminAddUserToGroup", broker(ctx, { op: "addToGroup", runId, username: user.username }), { idempotent: true });
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
    const passwords = order === "fresh" ? [user.temporaryPassword, user.password] : [user.password, user.temporaryPassword];
    let refusal: unknown;
    for (const password of passwords) {
        let idToken: string | undefined;
        try {
            // With the temporary password the broker answers NEW_PASSWORD_REQUIRED with the final one.
            const request: SmokeUsersRequest = {
                op: "signIn",
                runId: runIdOf(user),
                username: user.username,
                password,
                ...(password === user.password ? {} : { newPassword: user.password }),
            };
            ({ idToken } = await ctx.steps.run(`sign-in of ${user.username}`, broker(ctx, request), { idempotent: true }));
        } catch (error) {
            // With user existence errors prevented, a missing user also answers NotAuthorized. The
            // challenge's session is single-use: after a lost answer, the final password tells whether it landed.
            if (isNotAuthorized(error) || isUserNotFound(error) || (error instanceof StepFailure && password !== user.password)) {
                refusal = error;
                continue;
            }
            throw error;
        }
        if (idToken) return idToken;
        fail(`sign-in of ${user.username}: the broker answered no IdToken`);
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
export const ownKey = (ctx: Context, user: TestUser, name = USER_FILE_NAME) => `${ownFolder(ctx, user.identityId!)}${name}`;

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
            const existed = await deleteUser(ctx, user);
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
                if (await deleteUser(ctx, user)) removed.push(`user ${user.username}`);
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
        await deleteUser(ctx, user);
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
    const removed: string[] = [];
    const existed = await deleteUser(ctx, user);
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

/** Deletes a user; one that is not there is removed already (a repeat, or another run's sweep). */
async function deleteUser(ctx: Context, user: TestUser): Promise<boolean> {
    try {
        await ctx.steps.run("AdminDeleteUser", broker(ctx, { op: "deleteUser", runId: runIdOf(user), username: user.username }), { idempotent: true });
        return true;
    } catch (error) {
        if (!isUserNotFound(error)) throw error;
        return false;
    }
}

function fail(message: string): never {
    throw new StepFailure(message);
}
