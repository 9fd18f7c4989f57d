/**
 * The capacity model grounded in the code: a simulated fleet of the real read-file handler
 * (bench/fleet.ts: one handler per container, Zipf users, containers recycled, requests landing at
 * random) counts its AWS calls, and they agree with analysis/capacity.ts's model for the same
 * parameters within 10 %. Simulated time only: the figures are counts, never timings.
 */
import * as assert from "assert";

import { cacheTime, capacity, DEFAULT_PARAMETERS, exchangeCalls, userGroups } from "../analysis/capacity";
import { FLEET_SCENARIOS, simulateFleet } from "../bench/fleet";
import { parseCapacityArgs } from "../tools/capacity";

describe("capacity model against a simulated fleet of read-file handlers", () => {
    for (const f of FLEET_SCENARIOS) {
        it(`${f.name}: GetId, GetCredentialsForIdentity and GetObject per second within 10 % of the model`, async () => {
            const result = await simulateFleet({ ...DEFAULT_PARAMETERS, ...f.parameters, users: f.users, rps: f.rps }, { minutes: 30, name: f.name });
            for (const api of result.apis) {
                assert.ok(api.deviation < 0.1, `${api.api}: simulated ${api.simulated.toFixed(3)}/s, model ${api.modelled.toFixed(3)}/s (${(100 * api.deviation).toFixed(1)} % apart)`);
            }
            const [getId, issues, reads] = result.apis;
            assert.ok(getId.simulated <= issues.simulated, "a GetId is always followed by an issue");
            assert.strictEqual(reads.simulated * result.simulatedSeconds, result.requests, "one GetObject per request");
        });
    }

    it("models skewed users: Zipf shares that sum to one, one group for uniform users, fewer calls as skew concentrates requests", () => {
        assert.deepStrictEqual(userGroups(1000, 0), [{ count: 1000, fraction: 1 }]);
        for (const skew of [0.5, 1, 1.5]) {
            const groups = userGroups(1_000_000, skew);
            assert.strictEqual(groups.reduce((n, g) => n + g.count, 0), 1_000_000);
            assert.ok(Math.abs(groups.reduce((n, g) => n + g.fraction, 0) - 1) < 1e-9);
            assert.ok(groups.length < 500, `${groups.length} groups`);
        }
        const at = (userSkew: number) => exchangeCalls({ ...DEFAULT_PARAMETERS, users: 50_000, rps: 500, userSkew });
        assert.ok(at(1).getId < at(0.5).getId && at(0.5).getId < at(0).getId);
        assert.strictEqual(cacheTime([{ count: 10, rate: 1 }], 10), Infinity);
        assert.ok(Math.abs(cacheTime([{ count: 100, rate: 1 }], 50) - cacheTime([{ count: 50, rate: 1 }, { count: 50, rate: 1 }], 50)) < 1e-9);
        assert.match(JSON.stringify(capacity(1000, 10, { userSkew: 1 }).scenario.parameters), /"userSkew":1/);
    });

    it("repeats exactly for a seed", async () => {
        const f = FLEET_SCENARIOS[0];
        const run = () => simulateFleet({ ...DEFAULT_PARAMETERS, ...f.parameters, users: f.users, rps: f.rps }, { minutes: 2, warmupMinutes: 1, seed: 7 });
        assert.deepStrictEqual((await run()).apis, (await run()).apis);
    });

    it("is the CLI's --fleet, which takes only --minutes", () => {
        assert.deepStrictEqual(parseCapacityArgs(["--fleet"]), { fleet: 60 });
        assert.deepStrictEqual(parseCapacityArgs(["--fleet", "--minutes", "15"]), { fleet: 15 });
        assert.deepStrictEqual(parseCapacityArgs(["--fleet", "--users", "5"]), {
            exit: 2,
            err: ["capacity: --fleet simulates its own fixed scenarios: give it alone, or with --minutes", "run 'npm run capacity -- --help' for usage"],
        });
        assert.deepStrictEqual(parseCapacityArgs(["--minutes", "5"]), { exit: 2, err: ["capacity: --minutes applies to --fleet only", "run 'npm run capacity -- --help' for usage"] });
        assert.strictEqual((parseCapacityArgs(["--fleet", "--minutes", "0"]) as { err: string[] }).err[0], "capacity: --minutes must be a number of minutes from 1 to 1440, got '0'");
    });
});
