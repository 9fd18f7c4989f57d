/**
 * The smoke-users broker: it serves the run's own `smoke+<runId>-<group>@smoke.invalid` users and
 * refuses everything else before any call reaches the user pool, with an answer that says why.
 */
import * as assert from "assert";

import { createSmokeUsersHandler, INVALID_REQUEST, SmokeUsersResponse } from "../lambdas/smokeUsers";
import { FakeDeployment, startFakeDeployment } from "./support/fakeDeployment";

const SETTINGS = { userPoolId: "ap-northeast-1_Pool", clientId: "client" };
const PASSWORD = "Correct-horse-9!";

/** A user pool that records every command and answers as told. */
function recordingPool(answer: (name: string, input: any) => unknown = () => ({})) {
    const sent: { name: string; input: any }[] = [];
    return {
        sent,
        idp: {
            async send(command: object) {
                const name = command.constructor.name.replace(/Command$/, "");
                const input = (command as { input: unknown }).input;
                sent.push({ name, input });
                return answer(name, input);
            },
        },
    };
}

const refusalOf = (response: SmokeUsersResponse) => {
    assert.strictEqual(response.ok, false, JSON.stringify(response));
    return (response as Extract<SmokeUsersResponse, { ok: false }>).error;
};

describe("smoke-users broker", () => {
    const runId = "mx1abc-0a1b2c3d";
    const own = `smoke+${runId}-user@smoke.invalid`;

    it("refuses any user that is not exactly one of the request's run's, before calling the pool", async () => {
        const pool = recordingPool();
        const handler = createSmokeUsersHandler(SETTINGS, { idp: pool.idp });
        const foreign: [string, unknown][] = [
            ["a real user", "alice@example.com"],
            ["another run's user", `smoke+otherrun-user@smoke.invalid`],
            ["a look-alike domain", `smoke+${runId}-user@smoke.invalid.example.com`],
            ["another group", `smoke+${runId}-owner@smoke.invalid`],
            ["a prefix match only", `smoke+${runId}-user@smoke.invalid `],
            ["an internal user name (sub)", "5f1c0b3e-aaaa-bbbb-cccc-000000000000"],
            ["no username", undefined],
            ["not a string", ["alice@example.com"]],
        ];
        for (const op of ["createUser", "addToGroup", "signIn", "deleteUser"]) {
            for (const [what, username] of foreign) {
                const error = refusalOf(await handler({ op, runId, username, temporaryPassword: PASSWORD, password: PASSWORD }));
                assert.strictEqual(error.name, INVALID_REQUEST, `${op} ${what}`);
                assert.match(error.message, /^username must be smoke\+<runId>-user@smoke\.invalid or smoke\+<runId>-admin@smoke\.invalid of the request's runId/, `${op} ${what}`);
                assert.doesNotMatch(error.message, /\n\s+at /, "no stack trace");
            }
            // A run id that does not match the name, or is no run id at all.
            for (const badRun of ["otherrun", "MX1ABC", "../x", undefined]) {
                assert.strictEqual(refusalOf(await handler({ op, runId: badRun, username: own, password: PASSWORD })).name, INVALID_REQUEST, `${op} runId ${badRun}`);
            }
        }
        for (const event of [null, "createUser", [], { op: "AdminSetUserPassword", runId, username: own }, { op: "adminAddUserToGroup", runId, username: own, group: "admin" }]) {
            assert.strictEqual(refusalOf(await handler(event)).name, INVALID_REQUEST, JSON.stringify(event));
        }
        assert.deepStrictEqual(pool.sent, [], "the pool was never called");
    });

    it("adds a user only to the group its name says, and never sends an invitation", async () => {
        const pool = recordingPool();
        const handler = createSmokeUsersHandler(SETTINGS, { idp: pool.idp });
        assert.deepStrictEqual(await handler({ op: "createUser", runId, username: own, temporaryPassword: PASSWORD }), { ok: true });
        assert.deepStrictEqual(await handler({ op: "addToGroup", runId, username: own, group: "admin" }), { ok: true });
        assert.deepStrictEqual(
            pool.sent.map((c) => [c.name, c.input.Username, c.input.GroupName, c.input.MessageAction, c.input.UserPoolId]),
            [
                ["AdminCreateUser", own, undefined, "SUPPRESS", SETTINGS.userPoolId],
                ["AdminAddUserToGroup", own, "user", undefined, SETTINGS.userPoolId],
            ],
        );
    });

    it("signs in by answering NEW_PASSWORD_REQUIRED only, and returns the IdToken alone", async () => {
        const pool = recordingPool((name) =>
            name === "AdminInitiateAuth"
                ? { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s", ChallengeParameters: { USER_ID_FOR_SRP: "sub-1" } }
                : { AuthenticationResult: { IdToken: "id-token", AccessToken: "access", RefreshToken: "refresh" } },
        );
        const handler = createSmokeUsersHandler(SETTINGS, { idp: pool.idp });
        assert.deepStrictEqual(await handler({ op: "signIn", runId, username: own, password: PASSWORD, newPassword: `${PASSWORD}x` }), { ok: true, idToken: "id-token" });
        assert.deepStrictEqual(pool.sent[1].input.ChallengeResponses, { USERNAME: "sub-1", NEW_PASSWORD: `${PASSWORD}x` });
        const mfa = createSmokeUsersHandler(SETTINGS, { idp: recordingPool(() => ({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s" })).idp });
        assert.match(refusalOf(await mfa({ op: "signIn", runId, username: own, password: PASSWORD, newPassword: `${PASSWORD}x` })).message, /asks for SOFTWARE_TOKEN_MFA; the broker answers only NEW_PASSWORD_REQUIRED/);
    });

    it("lists only names of the smoke form", async () => {
        const user = (email: string) => ({ Username: "sub", UserCreateDate: new Date(0), Attributes: [{ Name: "email", Value: email }, { Name: "phone_number", Value: "+810000" }] });
        const pool = recordingPool(() => ({ Users: [user(own), user("smoke+someone@example.com"), user("alice@example.com")] }));
        const answer = await createSmokeUsersHandler(SETTINGS, { idp: pool.idp })({ op: "listUsers" });
        assert.deepStrictEqual(answer, { ok: true, users: [{ username: own, created: new Date(0).toISOString() }] });
    });

    it("passes on the pool's errors by name, and hides any other failure behind a plain message", async () => {
        const serviceError = Object.assign(new Error("User does not exist."), { name: "UserNotFoundException", $metadata: { httpStatusCode: 400 } });
        const failing = (error: unknown) =>
            createSmokeUsersHandler(SETTINGS, {
                idp: {
                    send: async () => {
                        throw error;
                    },
                },
                log: () => undefined,
            });
        assert.deepStrictEqual(refusalOf(await failing(serviceError)({ op: "deleteUser", runId, username: own })), { name: "UserNotFoundException", message: "User does not exist." });
        const bug = refusalOf(await failing(new TypeError("Cannot read properties of undefined (reading 'x')"))({ op: "deleteUser", runId, username: own }));
        assert.deepStrictEqual(bug, { name: "SmokeUsersFailure", message: "the broker failed; its log group has the details" });
    });

    describe("through Lambda, as the smoke role invokes it", () => {
        let fake: FakeDeployment;
        before(async () => {
            fake = await startFakeDeployment();
        });
        after(() => fake.close());

        it("refuses a real user of the pool, who stays as they were", async () => {
            fake.users.set("alice@example.com", { sub: "alice", password: PASSWORD, status: "CONFIRMED", group: "user", created: new Date(0) });
            const call = (request: object) => fake.clients.users.call(request as never, { abortSignal: new AbortController().signal });
            for (const request of [
                { op: "addToGroup", runId, username: "alice@example.com" },
                { op: "deleteUser", runId, username: "alice@example.com" },
                { op: "signIn", runId, username: "alice@example.com", password: PASSWORD },
                { op: "createUser", runId, username: "alice@example.com", temporaryPassword: PASSWORD },
            ]) {
                await assert.rejects(call(request), (e: Error) => e.name === INVALID_REQUEST && /username must be smoke\+<runId>-user/.test(e.message), JSON.stringify(request));
            }
            assert.deepStrictEqual(fake.users.get("alice@example.com"), { sub: "alice", password: PASSWORD, status: "CONFIRMED", group: "user", created: new Date(0) });
            assert.ok(!fake.calls.some((c) => c.startsWith("Admin")), `no user pool call: ${fake.calls.join(", ")}`);
            const listed = await call({ op: "listUsers" });
            assert.deepStrictEqual(listed.users, [], "alice is not listed");
        });
    });
});
