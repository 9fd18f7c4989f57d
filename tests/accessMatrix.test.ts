/**
 * Who can access what, per stack, equals the reviewed expectation checked in at
 * tests/expected/access-matrix.json. A change in access fails here with one line per cell;
 * after review, `npm run plan -- --all --write-expected` records the new expectation.
 */
import * as assert from "assert";
import * as fs from "fs";

import { STAGES } from "../components/stage";
import { AccessMatrix, accessMatrix, diffMatrices } from "../tools/accessMatrix";
import { EXPECTED_ACCESS_FILE } from "../tools/plan";
import { runProgram, stackRun } from "./harness";

describe("access matrix", () => {
    const expected = JSON.parse(fs.readFileSync(EXPECTED_ACCESS_FILE, "utf8")) as Record<string, AccessMatrix>;

    for (const stage of STAGES) {
        it(`of ${stage} equals the reviewed expectation`, async () => {
            const actual = await accessMatrix(await stackRun(stage));
            const differences = diffMatrices(expected[stage], actual);
            assert.deepStrictEqual(differences, [], `access changed:\n  ${differences.join("\n  ")}\n(review, then: npm run plan -- --all --write-expected)`);
            assert.deepStrictEqual(actual.columns, expected[stage].columns);
        });
    }

    it("reports a change in who can access what as readable per-cell lines", async () => {
        // GIVEN deve wired to the production caller role (a plausible config mistake)
        const run = await runProgram("deve", { overrides: { "federated-access:callerDevRoleName": "LambdaRoleProd" } });
        // WHEN the matrix is compared with the reviewed one
        const differences = diffMatrices(expected.deve, await accessMatrix(run));
        // THEN each changed cell is named
        assert.ok(differences.includes("deve: LambdaRoleDeve (caller account) × assume ApiAllowByIamRoleDeve: expected Allowed, now Denied"), differences.join("\n"));
        assert.ok(differences.includes("deve: LambdaRoleProd (caller account) × assume ApiAllowByIamRoleDeve: expected Denied, now Allowed"), differences.join("\n"));
    });

    it("keeps the core promises visible in the expectation itself", () => {
        for (const stage of STAGES) {
            const row = (name: string) => expected[stage].rows.find((r) => r.principal === name)!.cells;
            assert.strictEqual(row("identity A (user group)")["read A's file"], "Allowed");
            assert.strictEqual(row("identity A (user group)")["read B's file"], "Denied");
            assert.strictEqual(row("identity A (user group)")["list bucket root"], "Denied");
            assert.ok(Object.values(row("unauthenticated identity")).every((c) => c === "Denied"));
            assert.ok(Object.values(row("LambdaRoleDeve (another account)")).every((c) => c === "Denied"));
            assert.ok(Object.values(row("GitHub, another repository")).every((c) => c === "Denied"));
        }
    });
});
