/**
 * Nothing a run creates may be left where no later run finds it: answers lost after the
 * effect, effects that land after the run gave up, partial failures, a crashed run, two runs
 * sweeping the same leftovers.
 */
import * as assert from "assert";

import { formatReport, SMOKE_RECORDS_PREFIX } from "../smoke/smoke";
import { FakeDeployment, NOTHING_LEFT, smokeAgainst, startFakeDeployment } from "./support/fakeDeployment";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MINUTES_16 = 16 * 60 * 1000;
/** A short attempt limit, so the fake can outlast it. */
const SHORT = { attemptTimeoutMs: 250, settleBudgetMs: 1500 };

describe("smoke run cleanup and the sweep of earlier runs", () => {
    let fake: FakeDeployment;
    beforeEach(async () => {
        fake = await startFakeDeployment("deve");
    });
    afterEach(async () => {
        await fake.close();
    });
    const smoke = smokeAgainst(() => fake);
    const records = () => [...fake.objects.keys()].filter((k) => k.startsWith(SMOKE_RECORDS_PREFIX));
    const runFolders = () => [...new Set(records().map((k) => k.split("/")[1]))];
    /** A run that dies before its cleanup: everything it created stays, as recorded. */
    const crashedRun = async () => {
        const report = await smoke({ cleanupSignal: AbortSignal.abort() });
        assert.ok(report.cleanup.failed.length > 0, formatReport(report));
        return report;
    };
    /** Objects in users' folders, by the identity whose folder holds them. */
    const userObjects = () => [...fake.objects.keys()].filter((k) => !k.startsWith(SMOKE_RECORDS_PREFIX));

    describe("this run's own leftovers", () => {
        it("removes a user whose AdminCreateUser answer was lost (created, then retried into UsernameExists)", async () => {
            let first = true;
            fake.afterCall = async (command) => {
                if (command === "AdminCreateUser" && first) {
                    first = false;
                    await sleep(SHORT.attemptTimeoutMs + 100);
                }
            };
            const report = await smoke({ timing: SHORT });
            assert.strictEqual(report.ok, true, formatReport(report));
            assert.match(report.checks[0].detail, /AdminCreateUser 2 attempts \(timeout\)/);
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        });

        it("keeps recorded, and a later run removes, a user whose creation lands after the run gave up on it", async () => {
            fake.beforeCall = async (command) => {
                if (command === "AdminCreateUser") await sleep(700); // every attempt lands, each long after its timeout
            };
            const first = await smoke({ timing: { attemptTimeoutMs: 200, settleBudgetMs: 450 } });
            assert.strictEqual(first.checks[0].status, "fail");
            assert.match(first.cleanup.deferred.join(), /creation got no answer and it is not there \(yet\)/);
            assert.ok(first.cleanup.record, "the record stays for the sweep");
            await sleep(900);
            assert.strictEqual(fake.leftovers().users.length, 1, "the creation landed after the run ended");
            fake.beforeCall = undefined;
            fake.age(MINUTES_16);
            const second = await smoke();
            assert.strictEqual(second.ok, true, formatReport(second));
            assert.deepStrictEqual(second.sweep.removed.length, 1);
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        });

        it("keeps recorded, and a later run removes, a folder whose write lands after the run gave up on it", async () => {
            let delayed = false;
            fake.beforeCall = async (command, input) => {
                if (command === "PutObject" && String(input.Key).endsWith("/data.txt") && !delayed) {
                    delayed = true;
                    await sleep(700); // lands after the retry succeeded and after the run deleted the object
                }
            };
            const first = await smoke({ timing: SHORT });
            assert.strictEqual(first.ok, true, formatReport(first));
            assert.strictEqual(first.cleanup.deferred.length, 1, formatReport(first));
            assert.match(first.cleanup.deferred[0], /kept with its identity, as recorded, for a later run's sweep: unanswered writes may still land/);
            await sleep(800);
            assert.strictEqual(userObjects().length, 1, "the late write landed after the cleanup");
            fake.beforeCall = undefined;
            fake.age(MINUTES_16);
            const second = await smoke();
            assert.strictEqual(second.ok, true, formatReport(second));
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        });

        it("keeps the identity and the user when the folder could not be emptied, so a later run can finish", async () => {
            fake.beforeCall = (command, input) => {
                if (command === "DeleteObject" && !String(input.Key).startsWith(SMOKE_RECORDS_PREFIX)) {
                    throw Object.assign(new Error("We encountered an internal error. Please try again."), { name: "InternalError" });
                }
            };
            const first = await smoke();
            assert.strictEqual(first.ok, false);
            assert.strictEqual(first.cleanup.failed.length, 2, formatReport(first));
            assert.match(first.cleanup.failed[0], /folder cognito-test\/.*InternalError.*identity and user kept so a later run can finish/);
            const left = fake.leftovers();
            assert.strictEqual(left.identities.length, 2, "no identity deleted while its folder holds objects");
            assert.strictEqual(left.users.length, 2);
            fake.beforeCall = undefined;
            fake.age(MINUTES_16);
            const second = await smoke();
            assert.strictEqual(second.ok, true, formatReport(second));
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        });

        it("takes UserNotFound on a repeated delete (the first answer lost) as removed", async () => {
            let first = true;
            fake.afterCall = async (command) => {
                if (command === "AdminDeleteUser" && first) {
                    first = false;
                    await sleep(SHORT.attemptTimeoutMs + 100);
                }
            };
            const report = await smoke({ timing: SHORT });
            assert.strictEqual(report.ok, true, formatReport(report));
            assert.deepStrictEqual(report.cleanup.failed, []);
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        });

        it("deletes no identity: a removed user's identity is left with no login that reaches it", async () => {
            const report = await smoke();
            assert.strictEqual(report.ok, true, formatReport(report));
            assert.ok(!fake.calls.includes("DeleteIdentities"), "the smoke run holds no right to delete identities and asks for none");
            assert.strictEqual(fake.identities.size, 2, "both identities remain in the pool");
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT, "their users are gone, and their folders empty");
        });
    });

    describe("the sweep of earlier runs", () => {
        it("removes everything a crashed run left: users, folders (with the users' own credentials), record", async () => {
            await crashedRun();
            assert.strictEqual(runFolders().length, 1);
            assert.strictEqual(fake.leftovers().users.length, 2);
            fake.age(MINUTES_16);
            const report = await smoke();
            assert.strictEqual(report.ok, true, formatReport(report));
            assert.match(report.checks[0].detail, /swept 1 earlier run/);
            assert.match(report.sweep.removed[0], /2 user\(s\) with their folders/);
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        });

        it("leaves a record alone while it is fresh (a run still going)", async () => {
            await crashedRun();
            const report = await smoke();
            assert.strictEqual(report.ok, true, formatReport(report));
            assert.deepStrictEqual(report.sweep.removed, []);
            assert.strictEqual(fake.leftovers().users.length, 2);
        });

        it("removes users of a run that crashed before they signed in, and a record whose sweep died after removing its users", async () => {
            // Killed right after creating the first user: still FORCE_CHANGE_PASSWORD, in no group.
            fake.beforeCall = (command) => {
                if (command === "AdminAddUserToGroup") throw Object.assign(new Error("killed"), { name: "Killed" });
            };
            await crashedRun();
            // And a run whose sweep removed everything but the record, then died.
            fake.beforeCall = undefined;
            const swept = await crashedRun();
            for (const user of fake.leftovers().users.filter((u) => u.includes(swept.runId))) fake.users.delete(user);
            for (const key of userObjects()) fake.objects.delete(key);
            fake.identities.clear();
            fake.age(MINUTES_16);
            const report = await smoke();
            assert.strictEqual(report.ok, true, formatReport(report));
            assert.strictEqual(report.sweep.removed.length, 2, formatReport(report));
            assert.deepStrictEqual(report.sweep.failed, []);
            assert.ok(!fake.calls.includes("AdminSetUserPassword"));
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        });

        it("one leftover it cannot remove is noted and reported, and neither stops the others nor fails the run", async () => {
            await crashedRun();
            await crashedRun();
            const [bad, good] = runFolders();
            const badUser = `smoke+${bad}-user@smoke.invalid`;
            const badIdentity = [...fake.identities].find((id) => userObjects().some((k) => k.includes(id) && fake.objects.get(k)!.body.includes(`${bad} user`)))!;
            fake.beforeCall = (command, input) => {
                if (command === "DeleteObject" && String(input.Key).includes(badIdentity)) {
                    throw Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
                }
            };
            fake.age(MINUTES_16);
            const report = await smoke();
            assert.strictEqual(report.checks[0].status, "pass", formatReport(report));
            assert.strictEqual(report.ok, true, "another run's leftover does not fail this run");
            assert.strictEqual(report.sweep.removed.length, 1);
            assert.match(report.sweep.removed[0], new RegExp(`run ${good}:`));
            assert.strictEqual(report.sweep.failed.length, 1);
            assert.match(report.sweep.failed[0], new RegExp(`run ${bad}: ${badUser.replace("+", "\\+")}: folder .*AccessDenied`));
            assert.match(formatReport(report), /could NOT sweep \(left recorded for later runs\)/);
            assert.ok(records().some((k) => k.startsWith(`${SMOKE_RECORDS_PREFIX}${bad}/note-`)), "the problem is noted in the record");
            assert.ok(fake.users.has(badUser), "its user stays with its folder");
            assert.ok(!runFolders().includes(good));
        });

        it("two runs sweeping at once split the leftovers between them and fail neither", async () => {
            await crashedRun();
            await crashedRun();
            await crashedRun();
            fake.age(MINUTES_16);
            const [a, b] = await Promise.all([smoke(), smoke()]);
            assert.ok(a.ok && b.ok, `${formatReport(a)}\n${formatReport(b)}`);
            assert.strictEqual(a.sweep.removed.length + b.sweep.removed.length, 3, "each leftover swept by exactly one run");
            assert.ok(
                [...a.sweep.skipped, ...b.sweep.skipped].some((line) => /being swept by another run|already swept by another run/.test(line)),
                "both runs went for the same leftovers",
            );
            assert.deepStrictEqual([...a.sweep.failed, ...b.sweep.failed], []);
            assert.deepStrictEqual(fake.leftovers(), NOTHING_LEFT);
        });

        it("acts on no user or identity a record names unless it is the run's own, and reports the record", async () => {
            await crashedRun();
            const [run] = runFolders();
            const alice = "alice@example.com";
            fake.users.set(alice, { sub: "alice", password: "secret", status: "CONFIRMED", group: "admin", created: new Date(Date.now() - 86_400_000) });
            const aliceIdentity = `ap-northeast-1:${"a".repeat(8)}-aaaa-4aaa-8aaa-${"a".repeat(12)}`;
            fake.identities.add(aliceIdentity);
            const forged = (name: string, fact: object) => fake.objects.set(`${SMOKE_RECORDS_PREFIX}${run}/${name}.json`, { body: JSON.stringify(fact), lastModified: new Date() });
            const intentKey = records().find((k) => /intent/.test(k))!;
            const intent = JSON.parse(fake.objects.get(intentKey)!.body);
            forged("intent-forged", { ...intent, users: [{ username: alice, group: "admin", temporaryPassword: "x", password: "y" }] });
            forged("identity-forged", { kind: "identity", username: `smoke+${run}-user@smoke.invalid`, identityId: "../../other" });
            forged("object-forged", { kind: "object", username: alice, key: "users/someone-else/file.txt" });
            fake.age(MINUTES_16);
            const report = await smoke();
            assert.ok(fake.users.has(alice), "the forged record's user is not deleted");
            assert.ok(fake.identities.has(aliceIdentity));
            assert.ok(!fake.calls.some((c) => c === "AdminDeleteUser" && false));
            const failed = report.sweep.failed.join("\n");
            assert.match(failed, /names users that are not this run's: "alice@example\.com"/);
            assert.match(failed, /names an identity that is not this run's/);
            assert.match(failed, /names an object of a user that is not this run's/);
        });

        it("reports smoke users no record names (left by a version before run records), and leaves them alone", async () => {
            const old = "smoke+oldrun-user@smoke.invalid";
            fake.users.set(old, { sub: "old", password: "unknown", status: "CONFIRMED", group: "user", created: new Date(Date.now() - 86_400_000) });
            const report = await smoke();
            assert.strictEqual(report.ok, true, formatReport(report));
            assert.deepStrictEqual(report.sweep.unrecorded, [old]);
            assert.ok(fake.users.has(old));
        });
    });
});
