/**
 * The smoke-users broker: the only way the post-deploy smoke checks reach the stage's user pool.
 * It creates, signs in and deletes users named `smoke+<runId>-<group>@smoke.invalid`, and lists
 * the users of that form, and does nothing else: the smoke role may only invoke it, so a defect
 * or a hostile package in the smoke run cannot add a real user to `admin`, delete one, read the
 * user list or re-send a real user's invitation. Every request is checked against that form
 * before any call to Cognito; a refusal is an answer naming what was wrong, never a stack trace.
 */
import {
    AdminAddUserToGroupCommand,
    AdminCreateUserCommand,
    AdminDeleteUserCommand,
    AdminInitiateAuthCommand,
    AdminRespondToAuthChallengeCommand,
    ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";

/** Email-style usernames no one can receive mail at (`.invalid` is reserved, RFC 2606). */
export const SMOKE_USER_PREFIX = "smoke+";
export const SMOKE_USER_DOMAIN = "@smoke.invalid";
export const SMOKE_GROUPS = ["user", "admin"] as const;
export type SmokeGroup = (typeof SMOKE_GROUPS)[number];

/** A run id: lowercase letters, digits and `-`, as the run records name it. */
export const RUN_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const smokeUsername = (runId: string, group: string) => `${SMOKE_USER_PREFIX}${runId}-${group}${SMOKE_USER_DOMAIN}`;

/** The group of `username` when it is exactly one of run `runId`'s users, else undefined. */
export function groupOfRunUser(runId: unknown, username: unknown): SmokeGroup | undefined {
    if (typeof runId !== "string" || !RUN_ID.test(runId) || typeof username !== "string") return undefined;
    return SMOKE_GROUPS.find((group) => username === smokeUsername(runId, group));
}

/** Whether `username` has the form of some run's user (any run id). */
export const isSmokeUsername = (username: string) => /^smoke\+([a-z0-9][a-z0-9-]{0,62})-(user|admin)@smoke\.invalid$/.test(username);

export type SmokeUsersRequest =
    | { readonly op: "createUser"; readonly runId: string; readonly username: string; readonly temporaryPassword: string }
    | { readonly op: "addToGroup"; readonly runId: string; readonly username: string }
    | { readonly op: "signIn"; readonly runId: string; readonly username: string; readonly password: string; readonly newPassword?: string }
    | { readonly op: "deleteUser"; readonly runId: string; readonly username: string }
    | { readonly op: "listUsers" };

export interface ListedSmokeUser {
    readonly username: string;
    /** ISO 8601. */
    readonly created: string;
}

export type SmokeUsersResponse =
    | { readonly ok: true; readonly idToken?: string; readonly users?: ListedSmokeUser[] }
    | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

/** The broker's refusal of a request that is not one of its own users' operations. */
export const INVALID_REQUEST = "InvalidSmokeUsersRequest";

export interface SmokeUsersSettings {
    readonly userPoolId: string;
    readonly clientId: string;
}

/** What the broker needs of a Cognito user pool client (the SDK's `send`). */
export interface UserPoolSender {
    send(command: object): Promise<any>;
}

class Refused extends Error {
    constructor(message: string) {
        super(message);
        this.name = INVALID_REQUEST;
    }
}

const MAX_PASSWORD = 256;
const password = (value: unknown, field: string): string => {
    if (typeof value !== "string" || value.length < 8 || value.length > MAX_PASSWORD) {
        throw new Refused(`${field} must be a string of 8 to ${MAX_PASSWORD} characters`);
    }
    return value;
};

/** The request's user, refused unless it is exactly `smoke+<runId>-<user|admin>@smoke.invalid`. */
function runUser(request: { runId?: unknown; username?: unknown }): { username: string; group: SmokeGroup } {
    const group = groupOfRunUser(request.runId, request.username);
    if (!group) {
        throw new Refused(
            `username must be smoke+<runId>-user${SMOKE_USER_DOMAIN} or smoke+<runId>-admin${SMOKE_USER_DOMAIN} of the request's runId (lowercase letters, digits, '-'); got username ${JSON.stringify(request.username)} and runId ${JSON.stringify(request.runId)}`,
        );
    }
    return { username: request.username as string, group };
}

/** An error AWS answered: its name and message are safe to pass on. Anything else is not described. */
function isServiceError(error: unknown): error is { name: string; message: string } {
    return typeof error === "object" && error !== null && "$metadata" in error && typeof (error as { name?: unknown }).name === "string";
}

export function createSmokeUsersHandler(settings: SmokeUsersSettings, deps: { readonly idp: UserPoolSender; readonly log?: (line: string) => void }) {
    const { idp } = deps;
    const log = deps.log ?? ((line: string) => console.error(line));
    const pool = { UserPoolId: settings.userPoolId };

    async function signIn(username: string, pass: string, newPassword: string | undefined): Promise<string> {
        const auth = await idp.send(
            new AdminInitiateAuthCommand({ ...pool, ClientId: settings.clientId, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: username, PASSWORD: pass } }),
        );
        if (auth.AuthenticationResult?.IdToken) return auth.AuthenticationResult.IdToken;
        if (auth.ChallengeName !== "NEW_PASSWORD_REQUIRED") {
            throw new Refused(`sign-in of ${username} asks for ${auth.ChallengeName ?? "nothing"}; the broker answers only NEW_PASSWORD_REQUIRED (is MFA set to ON?)`);
        }
        if (newPassword === undefined) {
            throw new Refused(`sign-in of ${username} asks for a new password and the request gives none`);
        }
        const answered = await idp.send(
            new AdminRespondToAuthChallengeCommand({
                ...pool,
                ClientId: settings.clientId,
                ChallengeName: "NEW_PASSWORD_REQUIRED",
                Session: auth.Session,
                // The pool signs in by email alias; the challenge names the user's internal name.
                ChallengeResponses: { USERNAME: auth.ChallengeParameters?.USER_ID_FOR_SRP ?? username, NEW_PASSWORD: newPassword },
            }),
        );
        if (answered.AuthenticationResult?.IdToken) return answered.AuthenticationResult.IdToken;
        throw new Refused(`after the new password, sign-in of ${username} asks for ${answered.ChallengeName ?? "nothing"} (is MFA set to ON?)`);
    }

    async function serve(request: SmokeUsersRequest): Promise<SmokeUsersResponse> {
        switch (request.op) {
            case "createUser": {
                const { username } = runUser(request);
                await idp.send(
                    new AdminCreateUserCommand({
                        ...pool,
                        Username: username,
                        // Never an invitation: the address cannot receive one, and a re-send is what the broker exists to prevent.
                        MessageAction: "SUPPRESS",
                        TemporaryPassword: password(request.temporaryPassword, "temporaryPassword"),
                        UserAttributes: [
                            { Name: "email", Value: username },
                            { Name: "email_verified", Value: "true" },
                        ],
                    }),
                );
                return { ok: true };
            }
            case "addToGroup": {
                // The group is the one the username names: a `-user` user never joins `admin`.
                const { username, group } = runUser(request);
                await idp.send(new AdminAddUserToGroupCommand({ ...pool, Username: username, GroupName: group }));
                return { ok: true };
            }
            case "signIn": {
                const { username } = runUser(request);
                const newPassword = request.newPassword === undefined ? undefined : password(request.newPassword, "newPassword");
                return { ok: true, idToken: await signIn(username, password(request.password, "password"), newPassword) };
            }
            case "deleteUser": {
                const { username } = runUser(request);
                await idp.send(new AdminDeleteUserCommand({ ...pool, Username: username }));
                return { ok: true };
            }
            case "listUsers": {
                const listed = await idp.send(new ListUsersCommand({ ...pool, Filter: `email ^= "${SMOKE_USER_PREFIX}"`, Limit: 60 }));
                const users: ListedSmokeUser[] = [];
                for (const user of listed.Users ?? []) {
                    const email: string = user.Attributes?.find((a: { Name?: string }) => a.Name === "email")?.Value ?? "";
                    // Only names of the smoke form leave the broker; nothing else of any user does.
                    if (!isSmokeUsername(email)) continue;
                    users.push({ username: email, created: new Date(user.UserCreateDate ?? 0).toISOString() });
                }
                return { ok: true, users };
            }
            default:
                throw new Refused(`op must be one of createUser, addToGroup, signIn, deleteUser, listUsers; got ${JSON.stringify((request as { op?: unknown }).op)}`);
        }
    }

    return async function handler(event: unknown): Promise<SmokeUsersResponse> {
        try {
            if (typeof event !== "object" || event === null || Array.isArray(event)) throw new Refused("the request must be a JSON object");
            return await serve(event as SmokeUsersRequest);
        } catch (error) {
            if (error instanceof Refused || isServiceError(error)) {
                return { ok: false, error: { name: error.name, message: error.message } };
            }
            log(`smoke-users: ${(error as Error)?.stack ?? String(error)}`);
            return { ok: false, error: { name: "SmokeUsersFailure", message: "the broker failed; its log group has the details" } };
        }
    };
}
